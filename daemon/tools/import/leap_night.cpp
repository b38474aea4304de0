#include "daemon/tools/import/leap_night.hpp"

#include <filesystem>
#include <map>

#include "daemon/tools/import/error.hpp"
#include "daemon/tools/import/leap_codes.hpp"
#include "daemon/tools/import/sources.hpp"
#include "daemon/tools/import/text.hpp"

namespace declared::import {

namespace {

std::string handbook_code(const std::string& leap_party) {
    for (auto& [from, to] : kLeapAliases)
        if (leap_party == from) return std::string(to);
    return leap_party.empty() ? std::string("IND") : leap_party;  // LEAP leaves an independent's party blank at times
}

std::string group_of(const std::string& code) {
    if (code == "CON" || code == "LAB" || code == "LD" || code == "GREEN" || code == "IND") return code;
    return "OTH";
}

}  // namespace

LehData leh_from_leap(const CsvTable& leap, const std::string& nation) {
    LehData out;
    out.file = leap.file;
    std::map<std::string, std::size_t> council_at;
    for (const LeapWard& lw : read_leap_baseline(leap)) {
        if (!in_nation(lw.council_ons, nation)) {
            out.skipped_rows += lw.candidates.size();
            if (out.skipped_councils.empty() || out.skipped_councils.back() != lw.council) out.skipped_councils.push_back(lw.council);
            continue;
        }
        auto [it, fresh] = council_at.emplace(lw.council_ons + "|" + lw.council, out.councils.size());
        if (fresh) out.councils.push_back(LehCouncil{lw.council_ons, lw.council, "", "", {}});
        LehWard w;
        w.ons = lw.ward_ons;
        w.name = lw.ward;
        w.line = lw.line;
        for (const auto& c : lw.candidates) {
            const std::string code = handbook_code(c.party);
            w.candidates.push_back(LehCandidate{candidate_name(c.name), code, group_of(code), c.votes, c.elected, lw.line});
            if (c.elected) ++w.seats;
        }
        out.rows += w.candidates.size();
        out.councils[it->second].wards.push_back(std::move(w));
    }
    return out;
}

// The first YYYY-MM-DD in the file's name (leap-2018-05-03.csv), or "".
std::string date_from_leap_name(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    auto digits = [&](std::size_t at, std::size_t n) {
        for (std::size_t i = at; i < at + n; ++i)
            if (name[i] < '0' || name[i] > '9') return false;
        return true;
    };
    for (std::size_t i = 0; i + 10 <= name.size(); ++i)
        if (digits(i, 4) && name[i + 4] == '-' && digits(i + 5, 2) && name[i + 7] == '-' && digits(i + 8, 2))
            return name.substr(i, 10);
    return {};
}

ImportResult run_leap_import(const ImportOptions& opt) {
    ImportInputs in;
    in.candidates = read_csv_file(opt.candidates);
    if (!opt.notional.empty()) in.notional = read_csv_file(opt.notional);
    ImportOptions o = opt;
    if (o.date.empty()) o.date = date_from_leap_name(opt.candidates);
    if (o.date.empty()) refuse(opt.candidates, 0, "", "no polling day in the file name (leap-YYYY-MM-DD.csv): give it with --date");
    const LehData leh = leh_from_leap(in.candidates, o.nation);
    ImportResult r = build_import(in, o, leh);
    r.report.notes.insert(r.report.notes.begin(),
                          "LEAP alone: no council sizes, continuing councillors or eve-of-poll composition; every council's size is "
                          "unknown (no control arithmetic), so a replay reports seats and votes");
    return r;
}

}  // namespace declared::import
