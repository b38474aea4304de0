#include "daemon/tools/night_file.hpp"

#include <algorithm>
#include <charconv>

#include "daemon/tools/civil_date.hpp"
#include "ingest/read_file.hpp"
#include "model/card_json.hpp"

namespace declared {

std::optional<NightFiles> read_night_files(const std::string& card_path, const std::string& declarations_path,
                                           std::string& error) {
    auto card_text = read_file(card_path);
    if (!card_text.ok()) return error = card_text.error.message(), std::nullopt;
    auto card = parse_card(*card_text.value);
    if (!card.ok()) return error = card_path + ": " + card.error.message(), std::nullopt;
    auto decls = read_file(declarations_path);
    if (!decls.ok()) return error = decls.error.message(), std::nullopt;
    return NightFiles{std::move(*card.value), std::move(*decls.value)};
}

std::optional<long long> parse_iso(std::string_view s) {
    auto num = [&](std::size_t pos, std::size_t len, int& out) {
        if (pos + len > s.size()) return false;
        auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
        return r.ec == std::errc() && r.ptr == s.data() + pos + len;
    };
    int y, mo, d, h, mi, se;
    if (s.size() < 19 || !num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
        !num(17, 2, se) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return std::nullopt;
    long long t = static_cast<long long>(days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) * 86400 +
                  h * 3600 + mi * 60 + se;
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.')
        while (++pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {}
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh = 0, om = 0;
        if (!num(pos + 1, 2, oh) || !num(pos + 4, 2, om)) return std::nullopt;
        const int off = (oh * 60 + om) * 60;
        t += s[pos] == '+' ? -off : off;
    }
    return t;
}

std::vector<NightLine> read_night(const std::string& text, DeclarationParser& parser) {
    std::vector<NightLine> night;
    long long prev = 0;
    bool have_prev = false;
    for (std::size_t pos = 0, n = 1; pos < text.size(); ++n) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        NightLine l;
        l.text = std::string_view(text).substr(pos, end - pos);
        if (!l.text.empty() && l.text.back() == '\r') l.text.remove_suffix(1);
        l.line_no = n;
        pos = end + 1;
        if (l.text.find_first_not_of(" \t") == std::string_view::npos) continue;
        l.at = prev;
        if (auto d = parser.parse(l.text); d.ok()) {
            if (auto t = parse_iso(d.value->declared_at)) {
                l.at = have_prev ? std::max(*t, prev) : *t;  // never wait backwards
                have_prev = true;
            }
            l.declaration = std::move(*d.value);
        }
        prev = l.at;
        night.push_back(std::move(l));
    }
    return night;
}

}  // namespace declared
