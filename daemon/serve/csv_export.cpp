#include "daemon/serve/csv_export.hpp"

#include <csv.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <boost/json.hpp>

namespace declared {

namespace json = boost::json;

namespace {

// One CSV document being written: text through libcsv's csv_write (which
// quotes and doubles quotes), numbers as digits.
class CsvOut {
public:
    CsvOut& text(std::string_view s) {
        sep();
        const std::size_t at = out_.size();
        out_.resize(at + s.size() * 2 + 2);  // csv_write's worst case: every byte a quote, plus the pair
        const std::size_t n = csv_write(out_.data() + at, out_.size() - at, s.data(), s.size());
        out_.resize(at + n);
        return *this;
    }
    CsvOut& number(std::int64_t n) {
        sep();
        out_ += std::to_string(n);
        return *this;
    }
    // Basis points as a percentage with two decimals: 1234 -> 12.34.
    CsvOut& percent_bp(std::int64_t bp) {
        sep();
        out_ += std::to_string(bp / 100);
        out_ += '.';
        const auto frac = bp % 100;
        if (frac < 10) out_ += '0';
        out_ += std::to_string(frac);
        return *this;
    }
    CsvOut& empty() {
        sep();
        return *this;
    }
    void end_row() {
        out_ += "\r\n";
        first_ = true;
    }
    std::string take() { return std::move(out_); }

private:
    void sep() {
        if (!first_) out_ += ',';
        first_ = false;
    }
    std::string out_;
    bool first_ = true;
};

std::string str(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t num(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<std::int64_t>() : 0;
}

void header(CsvOut& out, std::initializer_list<std::string_view> names) {
    for (auto n : names) out.text(n);
}

}  // namespace

std::string event_at(std::string_view event_json) {
    // The envelope's "at" comes before the body (seq, id, type, election, at):
    // read it in place, without parsing the whole event (an export reads one
    // per declared contest). An ISO time holds nothing JSON escapes.
    constexpr std::string_view kAt = ",\"at\":";
    if (auto at = event_json.find(kAt); at != std::string_view::npos) {
        auto v = event_json.substr(at + kAt.size());
        if (v.starts_with("null")) return {};
        if (v.starts_with('"'))
            if (auto end = v.find('"', 1); end != std::string_view::npos && v.substr(1, end - 1).find('\\') == std::string_view::npos)
                return std::string(v.substr(1, end - 1));
    }
    boost::system::error_code ec;
    auto v = json::parse(event_json, ec);
    if (ec || !v.is_object()) return {};
    return str(v.as_object(), "at");
}

std::string results_csv(const Tally& tally, const DeclaredAt& declared_at) {
    const Card& card = tally.card();
    CsvOut out;
    header(out, {"council_id", "council", "council_ons", "region", "contest", "ward_id", "ward", "ward_ons", "revision",
                 "candidate", "party", "party_name", "votes", "elected", "share", "declared_at"});
    out.end_row();
    for (const Council& c : card.councils) {
        auto state = json::parse(tally.council_json(c.id));
        const auto& o = state.as_object();
        auto contests = [&](std::string_view key, bool wards) {
            std::size_t i = 0;
            for (const auto& contest_v : o.at(key).as_array()) {
                const auto& contest = contest_v.as_object();
                const std::string ward_ons = wards && i < c.wards.size() ? c.wards[i].ons : std::string();
                ++i;
                const auto* result_v = contest.if_contains("result");
                if (!result_v || !result_v->is_object()) continue;
                const auto& result = result_v->as_object();
                const auto* event = contest.at("event").if_object();
                const std::string at = event && declared_at ? declared_at(static_cast<std::uint64_t>(num(*event, "seq")))
                                                            : std::string();
                for (const auto& cand_v : result.at("candidates").as_array()) {
                    const auto& cand = cand_v.as_object();
                    const std::string party = str(cand, "party");
                    const Party* p = card.party(party);
                    out.text(c.id).text(c.name).text(c.ons).text(c.region).text(str(contest, "contest"));
                    out.text(str(contest, "id")).text(str(contest, "name")).text(ward_ons);
                    out.number(num(result, "revision"));
                    out.text(str(cand, "name")).text(party).text(p ? p->name : std::string());
                    if (cand.at("votes").is_number()) out.number(num(cand, "votes"));
                    else out.empty();
                    out.text(cand.at("elected").as_bool() ? "true" : "false");
                    if (cand.at("share_bp").is_number()) out.percent_bp(num(cand, "share_bp"));
                    else out.empty();
                    out.text(at);
                    out.end_row();
                }
            }
        };
        contests("wards", true);
        contests("mayors", false);
    }
    return out.take();
}

std::string councils_csv(const Tally& tally) {
    const Card& card = tally.card();
    CsvOut out;
    header(out, {"council_id", "council", "ons", "region", "status", "control", "control_before", "outcome",
                 "wards_declared", "wards_total", "seats_declared", "seats_total"});
    for (const auto& p : card.parties) out.text(p.code);
    out.end_row();
    for (const Council& c : card.councils) {
        auto state = json::parse(tally.council_json(c.id));
        const auto& o = state.as_object();
        out.text(c.id).text(c.name).text(c.ons).text(c.region).text(str(o, "status")).text(str(o, "control"));
        out.text(str(o, "control_before")).text(str(o, "outcome"));
        out.number(num(o, "wards_declared")).number(num(o, "wards_total"));
        out.number(num(o, "seats_declared")).number(num(o, "seats_total"));
        for (const auto& p : card.parties) {
            std::int64_t seats = 0;
            for (const auto& line : o.at("composition").as_array())
                if (str(line.as_object(), "party") == p.code) seats = num(line.as_object(), "seats");
            out.number(seats);
        }
        out.end_row();
    }
    return out.take();
}

std::optional<Error> write_csv_files(const std::string& dir, const Tally& tally, const DeclaredAt& declared_at) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{"csv_dir", "--csv", "a directory that can be created or written", "'" + dir + "': " + ec.message()};
    auto write = [&](const std::string& name, const std::string& bytes) -> std::optional<Error> {
        const fs::path final_path = fs::path(dir) / name;
        const fs::path tmp = fs::path(dir) / ("." + name + ".tmp");
        {
            std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
            if (f) f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!f || !f.flush())
                return Error{"csv_write", "--csv", "a writable directory",
                             "cannot write " + tmp.string() + ": " + std::strerror(errno)};
        }
        fs::rename(tmp, final_path, ec);
        if (ec) return Error{"csv_write", "--csv", "a writable directory", "cannot rename to " + final_path.string() + ": " + ec.message()};
        return std::nullopt;
    };
    if (auto e = write("results.csv", results_csv(tally, declared_at))) return e;
    return write("councils.csv", councils_csv(tally));
}

}  // namespace declared
