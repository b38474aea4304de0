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
        {"council", {"Local authority name", "Council name", "Council", "Authority name", "Local authority", "Authority", "LA name",
                     "District name", "Local authority/council"}},
        {"council_ons", {"Local authority code", "Council code", "Authority code", "LA code", "Council ONS code", "ONS code",
                         "LA ONS code", "GSS code", "Local authority ONS code"}, Content::ons_council},
        {"ward", {"Ward name", "Ward", "Division name", "Electoral division name", "Division", "Ward/division name", "Ward/division"}},
        {"ward_ons", {"Ward code", "Division code", "Ward ONS code", "Electoral division code", "Ward GSS code", "Ward/division code"},
         Content::ons_ward},
        {"type", {"Type", "Council type", "Authority type"}, false},
        {"county", {"COUNTYNAME", "County name", "County"}, false},
        {"year", {"Year"}, false},
        {"seats", {"Vacancies", "Seats", "Seats up", "Seats contested", "Number of seats", "Seats to fill", "Number of vacancies"}},
        {"candidate", {"Candidate name", "Candidate", "Name", "Candidate's name"}},
        {"votes", {"Votes", "Votes cast", "Vote", "Candidate votes", "Number of votes"}},
        {"elected", {"Elected", "Result", "Elected?", "Elected (1/0)", "Winner"}},
        {"party", {"Party abbreviation", "Party name", "Party", "Party code", "Party abbrev", "Party abbr"}},
        {"group", {"Party group", "Group"}, false},
        {"total_valid", {"Total valid votes", "Total votes", "Valid votes"}, false},
    };
    return specs;
}

}  // namespace

bool in_nation(const std::string& ons, const std::string& nation) {
    if (nation == "all" || ons.empty()) return true;
    char c = ons[0];
    if (nation == "england") return c == 'E';
    if (nation == "wales") return c == 'W';
    if (nation == "scotland") return c == 'S';
    return true;
}

namespace {

// One candidate row at a time, into councils and wards in file order.
class CandidateReader {
public:
    CandidateReader(const CsvTable& table, const std::string& nation, LehData& out) : table_(table), nation_(nation), out_(out) {}

    void row(const Header& h, const CsvRow& r) {
        const std::string council_ons = trim(h.get(r, "council_ons"));
        const std::string council = need(h, r, "council");
        const std::string ward = need(h, r, "ward");
        const std::string ward_ons = trim(h.get(r, "ward_ons"));
        // The nation from whichever ONS code the table has: the council's, else the ward's.
        if (!in_nation(council_ons.empty() ? ward_ons : council_ons, nation_)) {
            ++out_.skipped_rows;
            skipped_.insert(council);
            return;
        }
        auto seats = parse_count(h.get(r, "seats"));
        if (!seats || *seats < 1 || *seats > 20)
            refuse(table_.file, r.line, h.label("seats"), "expected a number of seats from 1 to 20, got '" + std::string(h.get(r, "seats")) + "'");
        LehCandidate c = candidate(h, r);
        if (h.has("year") && out_.year == 0) {
            if (auto y = parse_count(h.get(r, "year")); y && *y > 1900 && *y < 3000) out_.year = static_cast<int>(*y);
        }
        LehWard& lw = ward_of(h, r, council_ons, council, ward_ons, ward, static_cast<int>(*seats));
        if (lw.seats != *seats)
            refuse(table_.file, r.line, h.label("seats"), "ward '" + ward + "' has " + std::to_string(*seats) +
                                                           " seats here but " + std::to_string(lw.seats) + " on line " +
                                                           std::to_string(lw.line));
        lw.candidates.push_back(std::move(c));
        ++out_.rows;
    }

    void finish() { out_.skipped_councils.assign(skipped_.begin(), skipped_.end()); }

private:
    std::string need(const Header& h, const CsvRow& r, const std::string& key) const {
        std::string v = trim(h.get(r, key));
        if (v.empty()) refuse(table_.file, r.line, h.label(key), "empty value");
        return v;
    }

    LehCandidate candidate(const Header& h, const CsvRow& r) const {
        LehCandidate c;
        c.line = r.line;
        c.name = candidate_name(need(h, r, "candidate"));
        c.party = need(h, r, "party");
        c.group = trim(h.get(r, "group"));
        const std::string votes = trim(h.get(r, "votes"));
        if (!votes.empty()) {
            c.votes = parse_count(votes);
            if (!c.votes) refuse(table_.file, r.line, h.label("votes"), "expected a whole number of votes, got '" + votes + "'");
        }
        auto elected = parse_flag(h.get(r, "elected"));
        if (!elected) refuse(table_.file, r.line, h.label("elected"), "expected 1 or 0, got '" + std::string(h.get(r, "elected")) + "'");
        c.elected = *elected;
        return c;
    }

    LehWard& ward_of(const Header& h, const CsvRow& r, const std::string& council_ons, const std::string& council,
                     const std::string& ward_ons, const std::string& ward, int seats) {
        auto [cit, cnew] = council_at_.emplace(council_ons + "|" + council, out_.councils.size());
        if (cnew) {
            std::string county = trim(h.get(r, "county"));
            if (county == "NA" || county == "N/A") county.clear();
            out_.councils.push_back(LehCouncil{council_ons, council, trim(h.get(r, "type")), county, {}});
        }
        LehCouncil& lc = out_.councils[cit->second];
        auto [wit, wnew] = ward_at_.emplace(std::make_pair(cit->second, ward_ons + "|" + ward), lc.wards.size());
        if (wnew) {
            LehWard w;
            w.ons = ward_ons;
            w.name = ward;
            w.seats = seats;
            w.line = r.line;
            if (auto t = parse_count(h.get(r, "total_valid"))) w.total_valid = t;
            lc.wards.push_back(std::move(w));
        }
        return lc.wards[wit->second];
    }

    const CsvTable& table_;
    const std::string& nation_;
    LehData& out_;
    std::map<std::string, std::size_t> council_at_;                        // key -> index
    std::map<std::pair<std::size_t, std::string>, std::size_t> ward_at_;   // council, key -> index
    std::set<std::string> skipped_;
};

}  // namespace

LehData read_leh_candidates(const CsvTable& table, const std::string& nation) {
    LehData out;
    out.file = table.file;
    CandidateReader reader(table, nation, out);
    for (const Header& h : Header::find_all(table, leh_columns()))
        for (std::size_t i = h.row() + 1; i < h.end(); ++i)
            if (Header::data(table.rows[i])) reader.row(h, table.rows[i]);
    reader.finish();
    return out;
}

}  // namespace declared::import
