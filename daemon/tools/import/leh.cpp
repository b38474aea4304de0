#include "daemon/tools/import/leh.hpp"

#include <map>
#include <set>
#include <tuple>

#include "daemon/tools/import/error.hpp"
#include "daemon/tools/import/text.hpp"

namespace declared::import {

namespace {

const std::vector<ColumnSpec>& leh_columns() {
    static const std::vector<ColumnSpec> specs = {
        {"council", {"Local authority name", "Council name", "Council", "Authority name", "Local authority", "Authority"}},
        {"council_ons", {"Local authority code", "Council code", "Authority code", "LA code", "Council ONS code"}, false},
        {"ward", {"Ward name", "Ward", "Division name", "Electoral division name", "Division", "Ward/division name"}},
        {"ward_ons", {"Ward code", "Division code", "Ward ONS code", "Electoral division code"}, false},
        {"type", {"Type", "Council type", "Authority type"}, false},
        {"county", {"COUNTYNAME", "County name", "County"}, false},
        {"year", {"Year"}, false},
        {"seats", {"Vacancies", "Seats", "Seats up", "Seats contested", "Number of seats"}},
        {"candidate", {"Candidate name", "Candidate", "Name"}},
        {"votes", {"Votes", "Votes cast", "Vote", "Candidate votes"}},
        {"elected", {"Elected", "Result", "Elected?"}},
        {"party", {"Party abbreviation", "Party name", "Party", "Party code", "Party abbrev"}},
        {"group", {"Party group", "Group"}, false},
        {"total_valid", {"Total valid votes", "Total votes", "Valid votes"}, false},
    };
    return specs;
}

bool in_nation(const std::string& ons, const std::string& nation) {
    if (nation == "all" || ons.empty()) return true;
    char c = ons[0];
    if (nation == "england") return c == 'E';
    if (nation == "wales") return c == 'W';
    if (nation == "scotland") return c == 'S';
    return true;
}

}  // namespace

LehData read_leh_candidates(const CsvTable& table, const std::string& nation) {
    const Header h = Header::find(table, leh_columns());
    LehData out;
    out.file = table.file;
    std::map<std::string, std::size_t> council_at;                  // key -> index
    std::map<std::pair<std::size_t, std::string>, std::size_t> ward_at;  // council, key -> index
    std::set<std::string> skipped;

    auto need = [&](const CsvRow& r, const std::string& key) {
        std::string v = trim(h.get(r, key));
        if (v.empty()) fail(table.file, r.line, h.label(key), "empty value");
        return v;
    };

    for (std::size_t i = h.row() + 1; i < table.rows.size(); ++i) {
        const CsvRow& r = table.rows[i];
        if (r.blank()) continue;
        const std::string council_ons = trim(h.get(r, "council_ons"));
        const std::string council = need(r, "council");
        if (!in_nation(council_ons, nation)) {
            ++out.skipped_rows;
            skipped.insert(council);
            continue;
        }
        const std::string ward = need(r, "ward");
        const std::string ward_ons = trim(h.get(r, "ward_ons"));

        auto seats = parse_count(h.get(r, "seats"));
        if (!seats || *seats < 1 || *seats > 20)
            fail(table.file, r.line, h.label("seats"), "expected a number of seats from 1 to 20, got '" + std::string(h.get(r, "seats")) + "'");
        LehCandidate c;
        c.line = r.line;
        c.name = candidate_name(need(r, "candidate"));
        c.party = need(r, "party");
        c.group = trim(h.get(r, "group"));
        const std::string votes = trim(h.get(r, "votes"));
        if (!votes.empty()) {
            c.votes = parse_count(votes);
            if (!c.votes) fail(table.file, r.line, h.label("votes"), "expected a whole number of votes, got '" + votes + "'");
        }
        auto elected = parse_flag(h.get(r, "elected"));
        if (!elected) fail(table.file, r.line, h.label("elected"), "expected 1 or 0, got '" + std::string(h.get(r, "elected")) + "'");
        c.elected = *elected;
        if (h.has("year") && out.year == 0) {
            if (auto y = parse_count(h.get(r, "year")); y && *y > 1900 && *y < 3000) out.year = static_cast<int>(*y);
        }

        const std::string ckey = council_ons + "|" + council;
        auto [cit, cnew] = council_at.emplace(ckey, out.councils.size());
        if (cnew) {
            std::string county = trim(h.get(r, "county"));
            if (county == "NA" || county == "N/A") county.clear();
            out.councils.push_back(LehCouncil{council_ons, council, trim(h.get(r, "type")), county, {}});
        }
        LehCouncil& lc = out.councils[cit->second];
        auto [wit, wnew] = ward_at.emplace(std::make_pair(cit->second, ward_ons + "|" + ward), lc.wards.size());
        if (wnew) {
            LehWard w;
            w.ons = ward_ons;
            w.name = ward;
            w.seats = static_cast<int>(*seats);
            w.line = r.line;
            if (auto t = parse_count(h.get(r, "total_valid"))) w.total_valid = t;
            lc.wards.push_back(std::move(w));
        }
        LehWard& lw = lc.wards[wit->second];
        if (lw.seats != *seats)
            fail(table.file, r.line, h.label("seats"), "ward '" + ward + "' has " + std::to_string(*seats) +
                                                          " seats here but " + std::to_string(lw.seats) + " on line " +
                                                          std::to_string(lw.line));
        lw.candidates.push_back(std::move(c));
        ++out.rows;
    }
    out.skipped_councils.assign(skipped.begin(), skipped.end());
    return out;
}

}  // namespace declared::import
