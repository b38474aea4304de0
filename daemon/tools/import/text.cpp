#include "daemon/tools/import/text.hpp"

#include <cctype>
#include <sstream>
#include <vector>

namespace declared::import {

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

std::string slugify(std::string_view s) {
    std::string out;
    bool dash = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (std::isalnum(c)) {
            if (dash && !out.empty()) out += '-';
            dash = false;
            out += static_cast<char>(std::tolower(c));
        } else if (c == '&') {
            if (!out.empty()) out += '-';
            out += "and";
            dash = true;
        } else if (c == '\'' || c == 0xE2) {
            // apostrophes (ASCII or the start of a UTF-8 curly one) join: "St George's" -> "st-georges"
            if (c == 0xE2 && i + 2 < s.size()) i += 2;
        } else {
            dash = true;
        }
    }
    return out;
}

namespace {

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (unsigned char c : s) {
        if (std::isalnum(c)) cur += static_cast<char>(std::tolower(c));
        else if (c == '\'') continue;
        else {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
            if (c == '&') out.push_back("and");
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

}  // namespace

std::string match_key(std::string_view s) {
    std::string out;
    for (auto& w : words(s)) out += w == "saint" ? "st" : w;
    return out;
}

std::string council_key(std::string_view s) {
    std::string out;
    for (auto& w : words(s)) {
        if (w == "city" || w == "of" || w == "royal" || w == "borough" || w == "london" || w == "council" ||
            w == "metropolitan" || w == "county" || w == "district" || w == "the")
            continue;
        out += w == "saint" ? "st" : w;
    }
    return out.empty() ? match_key(s) : out;
}

std::string candidate_name(std::string_view s) {
    std::string t = trim(s);
    // "Surname, I." -> "Surname I."
    if (auto comma = t.find(','); comma != std::string::npos) {
        std::string surname = trim(std::string_view(t).substr(0, comma));
        std::string rest = trim(std::string_view(t).substr(comma + 1));
        t = rest.empty() ? surname : surname + " " + rest;
    }
    std::string out;
    bool space = false;
    for (char c : t) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = true;
        } else {
            if (space && !out.empty()) out += ' ';
            space = false;
            out += c;
        }
    }
    return out;
}

std::optional<std::int64_t> parse_count(std::string_view s) {
    std::string t = trim(s);
    if (t.empty()) return std::nullopt;
    std::int64_t v = 0;
    bool digit = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if (c >= '0' && c <= '9') {
            if (v > (INT64_MAX - 9) / 10) return std::nullopt;
            v = v * 10 + (c - '0');
            digit = true;
        } else if (c == ',' && digit && i + 3 < t.size() + 0 && i + 3 <= t.size() - 1) {
            continue;
        } else {
            return std::nullopt;
        }
    }
    if (!digit) return std::nullopt;
    return v;
}

std::optional<bool> parse_flag(std::string_view s) {
    std::string t;
    for (unsigned char c : trim(s)) t += static_cast<char>(std::tolower(c));
    if (t.empty() || t == "0" || t == "n" || t == "no" || t == "false" || t == "not elected") return false;
    if (t == "1" || t == "y" || t == "yes" || t == "true" || t == "elected") return true;
    return std::nullopt;
}

std::string party_label(std::string_view name) {
    std::string out = trim(name);
    auto replace_word = [&](std::string_view from, std::string_view to) {
        for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
            const bool starts = at == 0 || out[at - 1] == ' ';
            const bool ends = at + from.size() == out.size() || out[at + from.size()] == ' ' || out[at + from.size()] == ',';
            if (starts && ends) out.replace(at, from.size(), to);
            else at += 1;
        }
    };
    replace_word("Independents", "Ind");
    replace_word("Independent", "Ind");
    if (out.size() > 6 && out.ends_with(" Party")) out.resize(out.size() - 6);
    return out.size() <= 24 ? out : std::string();
}

}  // namespace declared::import
