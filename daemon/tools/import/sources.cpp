#include "daemon/tools/import/sources.hpp"

#include <map>

#include "daemon/tools/import/error.hpp"
#include "daemon/tools/import/text.hpp"

namespace declared::import {

namespace {

const char* const kGroups[] = {"CON", "LAB", "LD", "GRN", "OTH"};

std::vector<ColumnSpec> cbp_columns() {
    std::vector<ColumnSpec> s = {
        {"ons", {"ons code", "ONS", "Council code", "Local authority code", "GSS code"}, Content::ons_council},
        {"name", {"council name", "Council", "Local authority name", "Authority"}},
        {"region", {"region"}, false},
        {"type", {"council type", "Type"}, false},
        {"boundary", {"Boundary change Yes/No", "Boundary change"}, false},
        {"new", {"New Council Yes/No", "New council"}, false},
        {"cycle", {"seats", "Cycle", "All/Third", "Election cycle"}, false},
    };
    for (int period = 0; period < 2; ++period) {
        const std::string year = period == 0 ? "2018" : "2022";
        for (const char* g : kGroups) {
            std::vector<std::string> names = {g};
            if (std::string(g) == "GRN") names = {"GRN", "Green", "GREEN"};
            s.push_back({year + "." + g, names, true, year, period});
        }
        s.push_back({year + ".Total", {"Total"}, true, year, period});
        s.push_back({year + ".Control", {"Control"}, true, year, period});
    }
    s.push_back({"2022.Vacant", {"Vacant", "Vacancies", "Vac"}, false, "2022", 0});
    return s;
}

bool yes(std::string_view s) {
    auto t = match_key(s);
    return t == "yes" || t == "y" || t == "1" || t == "true";
}

}  // namespace

std::vector<CbpCouncil> read_cbp_councils(const CsvTable& table) {
    const auto specs = cbp_columns();
    const Header h = Header::find(table, specs);
    std::vector<CbpCouncil> out;
    for (std::size_t i = h.row() + 1; i < table.rows.size(); ++i) {
        const CsvRow& r = table.rows[i];
        if (r.blank()) continue;
        CbpCouncil c;
        c.line = r.line;
        c.ons = trim(h.get(r, "ons"));
        c.name = trim(h.get(r, "name"));
        if (c.name.empty()) {
            if (c.ons.empty()) continue;  // notes and footers
            refuse(table.file, r.line, h.label("name"), "empty council name");
        }
        c.region = trim(h.get(r, "region"));
        c.type = trim(h.get(r, "type"));
        c.cycle_label = trim(h.get(r, "cycle"));
        c.boundary_change = yes(h.get(r, "boundary"));
        c.new_council = yes(h.get(r, "new"));
        for (int period = 0; period < 2; ++period) {
            const std::string year = period == 0 ? "2018" : "2022";
            Composition& comp = period == 0 ? c.after_2018 : c.after_2022;
            const std::string total = trim(h.get(r, year + ".Total"));
            if (total == "-" || total.empty()) continue;  // new council: no composition then
            comp.known = true;
            for (const char* g : kGroups) {
                const std::string key = year + "." + g;
                const std::string v = trim(h.get(r, key));
                auto n = v.empty() || v == "-" ? std::optional<std::int64_t>(0) : parse_count(v);
                if (!n) refuse(table.file, r.line, h.label(key), "expected a number of seats, got '" + v + "'");
                comp.seats[g] = static_cast<int>(*n);
            }
            auto t = parse_count(total);
            if (!t) refuse(table.file, r.line, h.label(year + ".Total"), "expected a number of seats, got '" + total + "'");
            comp.total = static_cast<int>(*t);
            comp.control = trim(h.get(r, year + ".Control"));
        }
        const std::string vac = trim(h.get(r, "2022.Vacant"));
        if (!vac.empty() && vac != "-") {
            auto v = parse_count(vac);
            if (!v) refuse(table.file, r.line, h.label("2022.Vacant"), "expected a number of seats, got '" + vac + "'");
            c.vacant_2022 = static_cast<int>(*v);
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<LeapWard> read_leap_baseline(const CsvTable& table) {
    std::vector<LeapWard> out;
    std::map<std::string, std::size_t> at;
    static const char* const kCols[] = {"council", "council ONS", "ward", "ward ONS", "candidate", "party", "votes", "elected"};
    bool first = true;
    for (const CsvRow& r : table.rows) {
        if (r.blank()) continue;
        if (r.fields.size() < 8)
            refuse(table.file, r.line, "", "expected 8 columns (council, council ONS, ward, ward ONS, candidate, party, votes, elected), got " +
                                             std::to_string(r.fields.size()));
        auto f = [&](int i) { return trim(r.fields[static_cast<std::size_t>(i)]); };
        if (f(4).empty() || f(4) == "NULL") continue;  // placeholder rows (a mayoralty, a council with no poll)
        auto elected = parse_flag(f(7));
        auto votes_s = f(6);
        std::optional<std::int64_t> votes = (votes_s.empty() || votes_s == "NULL") ? std::optional<std::int64_t>(0) : parse_count(votes_s);
        if (first && (!elected || !votes)) {  // a header row: tolerated
            first = false;
            continue;
        }
        first = false;
        if (!votes) refuse(table.file, r.line, kCols[6], "expected a whole number of votes, got '" + votes_s + "'");
        if (!elected) refuse(table.file, r.line, kCols[7], "expected 1 or 0, got '" + f(7) + "'");
        const std::string key = f(1) + "|" + f(0) + "|" + f(3) + "|" + f(2);
        auto [it, fresh] = at.emplace(key, out.size());
        if (fresh) out.push_back(LeapWard{f(0), f(1), f(2), f(3), {}, r.line});
        std::string party = f(5);
        if (party == "NULL") party.clear();
        out[it->second].candidates.push_back(LeapCandidate{f(4), party, *votes, *elected});
    }
    return out;
}

std::vector<RosterEntry> read_roster(const CsvTable& table) {
    static const std::vector<ColumnSpec> specs = {
        {"council", {"Council", "Council name", "Authority"}},
        {"ward", {"Ward Name", "Ward"}, false},
        {"name", {"Councillor Name", "Name"}, false},
        {"next", {"Next Election", "Next election date"}},
        {"party", {"Party Name", "Party"}},
    };
    const Header h = Header::find(table, specs);
    std::vector<RosterEntry> out;
    for (std::size_t i = h.row() + 1; i < table.rows.size(); ++i) {
        const CsvRow& r = table.rows[i];
        if (r.blank()) continue;
        out.push_back(RosterEntry{trim(h.get(r, "council")), trim(h.get(r, "ward")), trim(h.get(r, "name")),
                                  trim(h.get(r, "next")), trim(h.get(r, "party")), r.line});
    }
    return out;
}

std::vector<PartyName> read_party_names(const CsvTable& table) {
    static const std::vector<ColumnSpec> specs = {
        {"abbr", {"Party abbreviation", "Abbreviation", "Party code"}},
        {"name", {"Party name", "Name"}},
        {"count", {"Number of candidates", "Candidates"}, false},
    };
    const Header h = Header::find(table, specs);
    std::vector<PartyName> out;
    for (std::size_t i = h.row() + 1; i < table.rows.size(); ++i) {
        const CsvRow& r = table.rows[i];
        if (r.blank()) continue;
        PartyName p{trim(h.get(r, "abbr")), trim(h.get(r, "name")), 0};
        if (p.abbreviation.empty() || p.name.empty()) continue;
        if (auto n = parse_count(h.get(r, "count"))) p.candidates = static_cast<int>(*n);
        out.push_back(std::move(p));
    }
    return out;
}

namespace {

// "24.3" -> 243 (tenths of a percent), without floating point; nullopt when it is not a percentage.
std::optional<std::int64_t> permille(std::string_view text) {
    const std::string t = trim(text);
    const auto dot = t.find('.');
    auto whole = parse_count(t.substr(0, dot));
    if (!whole) return std::nullopt;
    std::int64_t tenths = 0;
    if (dot != std::string::npos) {
        const std::string frac = t.substr(dot + 1);
        if (frac.empty() || frac.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        tenths = frac[0] - '0';
        if (frac.size() > 1 && frac[1] >= '5') ++tenths;  // rounded to a tenth
    }
    const std::int64_t v = *whole * 10 + tenths;
    return v <= 1000 ? std::optional<std::int64_t>(v) : std::nullopt;
}

}  // namespace

std::vector<WardTurnout> read_ward_turnout(const CsvTable& table) {
    static const std::vector<ColumnSpec> specs = {
        {"council", {"Local authority name", "Council name", "Council"}},
        {"ward_ons", {"Ward code", "Ward ONS code"}, Content::ons_ward},
        {"ward", {"Ward name", "Ward"}},
        {"electorate", {"Electorate"}},
        {"turnout", {"Turnout (%)", "Turnout"}},
    };
    const Header h = Header::find(table, specs);
    std::vector<WardTurnout> out;
    for (std::size_t i = h.row() + 1; i < table.rows.size(); ++i) {
        const CsvRow& r = table.rows[i];
        if (r.blank()) continue;
        WardTurnout w{trim(h.get(r, "council")), trim(h.get(r, "ward_ons")), trim(h.get(r, "ward")),
                      parse_count(h.get(r, "electorate")), permille(h.get(r, "turnout")), r.line};
        if (w.ward.empty()) continue;
        out.push_back(std::move(w));
    }
    return out;
}

}  // namespace declared::import
