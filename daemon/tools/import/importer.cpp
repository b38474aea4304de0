#include "daemon/tools/import/importer.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "daemon/tools/import/leh.hpp"
#include "daemon/tools/import/sources.hpp"
#include "daemon/tools/import/text.hpp"
#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/validate.hpp"

namespace declared::import {

namespace {

namespace fs = std::filesystem;

const std::string kOthers = "OTH";  // lumped "others" bucket: cannot control

struct Known {
    const char* code;
    const char* name;
    const char* colour;
};
const Known kKnown[] = {
    {"LAB", "Labour", "#e4003b"},        {"CON", "Conservative", "#0087dc"}, {"LD", "Liberal Democrats", "#faa61a"},
    {"GREEN", "Green", "#02a95b"},       {"REF", "Reform UK", "#12b6cf"},    {"IND", "Independent", "#aaaaaa"},
    {"ASP", "Aspire", "#ab0a3d"},        {"PC", "Plaid Cymru", "#005b54"},   {"UKIP", "UKIP", "#6d3177"},
    {"OTH", "Others (lumped)", "#cccccc"},
};

// LEAP (Andrew Teale) party codes to LEH abbreviations, used when the target
// stands tonight; otherwise a LEAP code equal to a card code (ignoring case)
// is that party, and anything else is the OTH bucket.
const std::pair<const char*, const char*> kLeapAliases[] = {
    {"C", "CON"},          {"Lab", "LAB"},     {"LD", "LD"},         {"Grn", "GREEN"},        {"Ind", "IND"},
    {"Aspire", "ASP"},     {"Yorks", "YORKS"}, {"Lib", "LIB"},       {"Libtn", "LIBER"},      {"Loony", "OMRL"},
    {"ForBritn", "FBM"},   {"Thurrock", "TH IND"}, {"TWellsA", "TWA"}, {"StNeots", "STN IND"}, {"Morley", "MBI"},
    {"EngDem", "EDEM"},    {"Ref", "REF"},     {"UKIP", "UKIP"},     {"TUSC", "TUSC"},        {"CPA", "CPA"},
    {"WEP", "WEP"},        {"KIRG", "KIRG"},   {"CIIP", "CIIP"},     {"NF", "NF"},            {"SDP", "SDP"},
};

// CBP-9545 groups to card codes.
std::string group_code(const std::string& g) {
    if (g == "GRN") return "GREEN";
    return g;
}

// LEH party group of a candidate to the CBP group it is counted in.
std::string cbp_group(const std::string& leh_group, const std::string& party) {
    std::string g = leh_group.empty() ? party : leh_group;
    if (g == "CON" || g == "LAB" || g == "LD") return g;
    if (g == "GREEN" || g == "GRN") return "GRN";
    return "OTH";
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

// Strip a trailing ", City of" / ", County of" for ids: "Kingston upon Hull, City of" -> "Kingston upon Hull".
std::string id_name(const std::string& name) {
    auto comma = name.rfind(',');
    if (comma != std::string::npos) {
        std::string tail = trim(std::string_view(name).substr(comma + 1));
        if (tail.size() > 3 && tail.substr(tail.size() - 3) == " of") return trim(std::string_view(name).substr(0, comma));
    }
    return name;
}

// Names of one party differ in punctuation, "&"/"and", "of"/"the" and acronyms
// ("UKIP" / "United Kingdom Independence Party"); two names are one party when
// their keys agree or one is the other's initials.
std::string party_key(const std::string& name) {
    std::string key;
    std::string word;
    auto flush = [&] {
        if (!word.empty() && word != "of" && word != "the" && word != "and" && word != "party") key += word;
        word.clear();
    };
    for (unsigned char c : name) {
        if (std::isalnum(c)) word += static_cast<char>(std::tolower(c));
        else if (c == '\'') continue;
        else flush();
    }
    flush();
    return key;
}
std::string initials(const std::string& name) {
    std::string out;
    bool start = true;
    for (unsigned char c : name) {
        if (std::isalnum(c)) {
            if (start) out += static_cast<char>(std::tolower(c));
            start = false;
        } else {
            start = true;
        }
    }
    return out;
}
bool same_party(const std::string& a, const std::string& b) {
    if (party_key(a) == party_key(b)) return true;
    const std::string ka = match_key(a), kb = match_key(b);
    return (ka.size() <= 6 && ka == initials(b)) || (kb.size() <= 6 && kb == initials(a));
}

struct PartyInfo {
    std::string code;
    std::string abbreviation;
    std::string name;
    std::string group;
    std::size_t candidates = 0;
    std::set<std::string> councils;  // council names
};

struct CouncilWork {
    const LehCouncil* leh = nullptr;
    std::string id, slug;
    const CbpCouncil* cbp = nullptr;
    bool cbp_by_name = false;
};

// Majority-rule control from a composition (independents and OTH excluded).
std::string control_of(const std::map<std::string, int>& comp, int vacancies, const std::map<std::string, bool>& can_control) {
    int filled = 0;
    for (auto& [p, n] : comp) filled += n;
    (void)vacancies;
    const int m = filled / 2 + 1;
    for (auto& [p, n] : comp) {
        auto it = can_control.find(p);
        if (n >= m && (it == can_control.end() || it->second)) return p;
    }
    return std::string(kNoc);
}

}  // namespace

std::optional<std::pair<std::string, std::string>> parse_postponed(const std::string& s) {
    auto colon = s.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string c = trim(std::string_view(s).substr(0, colon)), w = trim(std::string_view(s).substr(colon + 1));
    if (c.empty() || w.empty()) return std::nullopt;
    return std::make_pair(c, w);
}

std::string ImportReport::text() const {
    std::ostringstream o;
    o << "import report\n";
    o << "  councils " << councils << ", wards " << wards << ", seats " << seats << ", candidates " << candidates << "\n";
    o << "  declarations " << declarations << " (uncontested " << uncontested << ", ties decided by lot " << lots << ")\n";
    o << "  wards with electorate (and turnout, where contested) from the ward table " << wards_with_turnout << "\n";
    o << "  postponed polls " << postponed_wards << " (" << postponed_seats << " seats vacant tonight)\n";
    o << "  parties " << parties << "; councils with size and continuing seats " << councils_sized << "\n";
    o << "  wards with a last-fought baseline " << baseline_wards << " (notional " << baseline_notional << ")\n";
    o << "  declaration times " << first_time << " .. " << last_time << " (" << daytime_councils << " councils count on Friday daytime)\n";
    for (const auto& n : notes) o << "  note: " << n << "\n";
    o << "  warnings: " << warnings.size() << "\n";
    for (const auto& w : warnings) o << "  warning: " << w << "\n";
    return o.str();
}

ImportResult build_import(const ImportInputs& in, const ImportOptions& opt) {
    ImportResult res;
    ImportReport& rep = res.report;
    Card& card = res.card;

    const LehData leh = read_leh_candidates(in.candidates, opt.nation);
    if (leh.councils.empty()) fail(in.candidates.file, 0, "", "no candidates found" + std::string(leh.skipped_rows ? " for --nation " + opt.nation : ""));
    if (!leh.skipped_councils.empty())
        rep.notes.push_back("skipped " + std::to_string(leh.skipped_councils.size()) + " councils (" +
                            std::to_string(leh.skipped_rows) + " candidates) outside --nation " + opt.nation);

    // The night.
    std::string date = opt.date;
    if (date.empty()) {
        if (leh.year == 0) fail(in.candidates.file, 0, "", "no Year column: give the polling day with --date");
        date = first_thursday_of_may(leh.year);
        rep.notes.push_back("polling day " + date + " (first Thursday of May " + std::to_string(leh.year) + "; --date overrides)");
    }
    card.election.id = "local." + date;
    card.election.name = "Local elections " + date.substr(0, 4);
    card.election.date = date;

    // Councils: ids from names, unique.
    std::vector<CouncilWork> work;
    for (const auto& c : leh.councils) work.push_back(CouncilWork{&c, "", slugify(id_name(c.name)), nullptr, false});
    std::sort(work.begin(), work.end(), [](const CouncilWork& a, const CouncilWork& b) {
        return std::tie(a.slug, a.leh->ons, a.leh->name) < std::tie(b.slug, b.leh->ons, b.leh->name);
    });
    {
        std::map<std::string, int> seen;
        for (auto& w : work) {
            int n = ++seen[w.slug];
            if (n > 1) {
                rep.warnings.push_back("council '" + w.leh->name + "' shares the id slug '" + w.slug + "': made '" + w.slug + "-" + std::to_string(n) + "'");
                w.slug += "-" + std::to_string(n);
            }
            w.id = "local." + w.slug + "." + date;
        }
    }

    // Party names and abbreviation collisions.
    std::map<std::string, std::vector<PartyName>> names_by_abbr;
    if (in.party_names)
        for (auto& p : read_party_names(*in.party_names)) names_by_abbr[p.abbreviation].push_back(p);
    // Electorate and turnout by ward: by ward ONS code, else by council and ward name.
    std::map<std::string, WardTurnout> turnout_by_ward;
    if (in.wards)
        for (auto& t : read_ward_turnout(*in.wards)) {
            if (!t.ward_ons.empty()) turnout_by_ward["ons:" + t.ward_ons] = t;
            turnout_by_ward["name:" + council_key(t.council) + "/" + match_key(t.ward)] = t;
        }
    // abbreviation -> clusters of names (one cluster = one party)
    std::map<std::string, std::vector<std::vector<PartyName>>> clusters;
    for (auto& [abbr, list] : names_by_abbr) {
        auto& cl = clusters[abbr];
        for (auto& p : list) {
            bool placed = false;
            for (auto& c : cl)
                if (same_party(c.front().name, p.name)) { c.push_back(p); placed = true; break; }
            if (!placed) cl.push_back({p});
        }
        std::sort(cl.begin(), cl.end(), [](const auto& a, const auto& b) { return a.front().name < b.front().name; });
    }
    // (council name, abbreviation) -> code
    std::map<std::pair<std::string, std::string>, std::string> code_of;
    std::map<std::string, PartyInfo> parties;  // by code
    for (const auto& c : leh.councils) {
        for (const auto& w : c.wards) {
            for (const auto& cand : w.candidates) {
                auto key = std::make_pair(c.name, cand.party);
                auto it = code_of.find(key);
                if (it == code_of.end()) {
                    std::string code = cand.party, name;
                    auto cl = clusters.find(cand.party);
                    if (cl != clusters.end() && !cl->second.empty()) {
                        std::size_t pick = 0;
                        if (cl->second.size() > 1) {
                            // the party whose name carries the council's name: "Bolton First" in Bolton
                            const std::string ck = council_key(c.name);
                            for (std::size_t i = 0; i < cl->second.size(); ++i)
                                if (!ck.empty() && match_key(cl->second[i].front().name).find(ck) != std::string::npos) pick = i;
                            if (pick > 0) code = cand.party + "-" + std::to_string(pick + 1);
                        }
                        // the most used spelling names the party
                        auto& names = cl->second[pick];
                        name = std::max_element(names.begin(), names.end(), [](auto& a, auto& b) { return a.candidates < b.candidates; })->name;
                    }
                    it = code_of.emplace(key, code).first;
                    auto& p = parties[code];
                    if (p.code.empty()) {
                        p.code = code;
                        p.abbreviation = cand.party;
                        p.name = name;
                        p.group = cand.group;
                    }
                }
                auto& p = parties[it->second];
                ++p.candidates;
                p.councils.insert(c.name);
            }
        }
    }
    for (auto& [abbr, cl] : clusters) {
        if (cl.size() < 2) continue;
        std::vector<std::string> parts;
        for (std::size_t i = 0; i < cl.size(); ++i) {
            std::string code = i == 0 ? abbr : abbr + "-" + std::to_string(i + 1);
            if (parties.count(code)) parts.push_back(code + " = " + cl[i].front().name);
        }
        if (parts.size() > 1) rep.notes.push_back("abbreviation " + abbr + " stands for different parties: split into " + join(parts, ", "));
    }

    bool need_others = false;
    std::map<std::string, bool> can_control;
    auto is_independent = [](const PartyInfo& p) { return p.group == "IND" || p.abbreviation == "IND" || p.abbreviation == "ND"; };
    for (auto& [code, p] : parties) can_control[code] = !is_independent(p);
    can_control[kOthers] = false;

    // Postponed polls.
    std::set<std::pair<std::string, std::string>> postponed_keys;  // council key, ward key
    std::set<std::pair<std::string, std::string>> postponed_used;
    for (auto& [c, w] : opt.postponed) postponed_keys.insert({council_key(c), match_key(w)});

    // CBP join.
    std::vector<CbpCouncil> cbp;
    if (in.councils) cbp = read_cbp_councils(*in.councils);
    std::map<std::string, const CbpCouncil*> cbp_by_ons, cbp_by_name;
    for (auto& c : cbp) {
        if (!c.ons.empty()) cbp_by_ons[c.ons] = &c;
        cbp_by_name[council_key(c.name)] = &c;
    }
    std::set<const CbpCouncil*> cbp_used;
    for (auto& w : work) {
        if (!in.councils) break;
        auto it = cbp_by_ons.find(w.leh->ons);
        if (it != cbp_by_ons.end()) {
            w.cbp = it->second;
        } else if (auto n = cbp_by_name.find(council_key(w.leh->name)); n != cbp_by_name.end()) {
            w.cbp = n->second;
            w.cbp_by_name = true;
            rep.notes.push_back("council table joined by name: " + w.leh->name + " (" + w.leh->ons + " in the candidates, " + n->second->ons + " in the council table)");
        } else {
            rep.warnings.push_back("council '" + w.leh->name + "' is not in the council table: size unknown, no control arithmetic");
        }
        if (w.cbp) cbp_used.insert(w.cbp);
    }
    if (in.councils)
        for (auto& c : cbp)
            if (!cbp_used.count(&c)) rep.warnings.push_back("council table row '" + c.name + "' (line " + std::to_string(c.line) + ") has no candidates in the table: ignored");

    // LEAP baseline, indexed by council.
    std::vector<LeapWard> leap;
    if (in.baseline) leap = read_leap_baseline(*in.baseline);
    std::map<std::string, std::vector<const LeapWard*>> leap_by_council;  // by ons and by key
    for (auto& w : leap) {
        if (!w.council_ons.empty()) leap_by_council["ons:" + w.council_ons].push_back(&w);
        leap_by_council["name:" + council_key(w.council)].push_back(&w);
    }
    std::map<std::string, std::size_t> leap_unmapped;
    auto leap_code = [&](const std::string& council_name, const std::string& lp) -> std::string {
        for (auto& [from, to] : kLeapAliases)
            if (lp == from) {
                auto it = code_of.find({council_name, to});
                if (it != code_of.end()) return it->second;
                if (parties.count(to)) return to;
            }
        for (auto& [code, p] : parties)
            if (match_key(code) == match_key(lp)) return code;
        ++leap_unmapped[lp.empty() ? "(none)" : lp];
        need_others = true;
        return kOthers;
    };

    // Roster by council.
    std::vector<RosterEntry> roster;
    if (in.roster) roster = read_roster(*in.roster);
    std::map<std::string, std::vector<const RosterEntry*>> roster_by_council;
    for (auto& r : roster) roster_by_council[council_key(r.council)].push_back(&r);
    std::map<std::string, std::string> full_name_code;  // party_key(full name) -> code (unsplit only)
    for (auto& [abbr, cl] : clusters)
        if (cl.size() == 1 && parties.count(abbr))
            for (auto& p : cl[0]) full_name_code[party_key(p.name)] = abbr;
    auto roster_code = [&](const std::string& council_name, const std::string& party) -> std::string {
        const std::string k = match_key(party);
        if (k.find("conservative") == 0) return "CON";
        if (k.find("labour") == 0) return "LAB";
        if (k.find("liberaldemocrat") == 0) return "LD";
        if (k.find("greenparty") == 0 || k == "green") return "GREEN";
        if (k == "independent") return "IND";
        if (auto it = full_name_code.find(party_key(party)); it != full_name_code.end()) return it->second;
        // a split abbreviation: the council's own party
        for (auto& [abbr, cl] : clusters)
            for (auto& group : cl)
                for (auto& p : group)
                    if (party_key(p.name) == party_key(party))
                        if (auto it = code_of.find({council_name, abbr}); it != code_of.end()) return it->second;
        return kOthers;
    };

    // Councils, wards, declarations.
    std::vector<CountPlan> plans;
    std::vector<std::vector<Declaration>> council_decls;
    std::size_t clamps = 0;
    for (auto& cw : work) {
        const LehCouncil& lc = *cw.leh;
        Council c;
        c.id = cw.id;
        c.ons = lc.ons;
        c.name = lc.name;
        c.region = lc.county;  // the council table's region replaces it
        std::vector<Declaration> decls;
        std::map<std::string, int> won_by_group;  // CBP groups, postponed polls excluded
        int postponed_seats = 0;
        std::map<std::string, int> ward_slugs;
        for (const auto& lw : lc.wards) {
            Ward w;
            std::string slug = slugify(lw.name);
            int n = ++ward_slugs[slug];
            if (n > 1) {
                rep.warnings.push_back(lc.name + ": ward '" + lw.name + "' shares the id slug '" + slug + "': made '" + slug + "-" + std::to_string(n) + "'");
                slug += "-" + std::to_string(n);
            }
            w.id = "local." + cw.slug + "." + slug + "." + date;
            w.name = lw.name;
            w.ons = lw.ons;
            w.seats = lw.seats;
            rep.candidates += lw.candidates.size();
            const auto pkey = std::make_pair(council_key(lc.name), match_key(lw.name));
            if (postponed_keys.count(pkey)) {
                w.postponed = true;
                postponed_used.insert(pkey);
                postponed_seats += w.seats;
                ++rep.postponed_wards;
                rep.postponed_seats += static_cast<std::size_t>(w.seats);
                c.wards.push_back(std::move(w));
                continue;
            }

            // The declaration.
            Declaration d;
            d.id = w.id;
            d.council = c.id;
            d.ward = w.id;
            d.revision = 1;
            d.source = "import";
            std::vector<LehCandidate> cands = lw.candidates;
            std::stable_sort(cands.begin(), cands.end(), [](const LehCandidate& a, const LehCandidate& b) {
                return a.votes.value_or(0) > b.votes.value_or(0) || (a.votes.value_or(0) == b.votes.value_or(0) && a.elected && !b.elected);
            });
            const auto elected = std::count_if(cands.begin(), cands.end(), [](auto& x) { return x.elected; });
            const bool all_zero = std::all_of(cands.begin(), cands.end(), [](auto& x) { return x.votes.value_or(0) == 0; });
            const bool some_missing = std::any_of(cands.begin(), cands.end(), [](auto& x) { return !x.votes; });
            const bool uncontested = all_zero && elected == static_cast<long>(cands.size());
            const std::string where = in.candidates.file + ":" + std::to_string(lw.line) + ": " + lc.name + ", " + lw.name;
            std::string problem;
            if (elected != w.seats)
                problem = std::to_string(elected) + " elected for " + std::to_string(w.seats) + " seats";
            else if (!uncontested && some_missing)
                problem = "some candidates have votes and others none";
            else if (all_zero && !uncontested)
                problem = "no votes recorded but not every candidate elected";
            std::map<std::string, int> name_count;
            for (auto& x : cands) ++name_count[x.name];
            std::map<std::string, int> name_seen;
            for (auto& x : cands) {
                Candidate out;
                out.name = x.name;
                if (name_count[x.name] > 1) {
                    out.name = x.name + " (" + code_of[{lc.name, x.party}] + ")";
                    if (++name_seen[out.name] > 1) out.name += " " + std::to_string(name_seen[out.name]);
                }
                out.party = code_of[{lc.name, x.party}];
                if (!uncontested) out.votes = x.votes.value_or(0);
                out.elected = x.elected;
                d.candidates.push_back(std::move(out));
            }
            if (name_count.size() < cands.size())
                rep.warnings.push_back(where + ": candidates with the same name told apart by party: " +
                                       join([&] { std::vector<std::string> v; for (auto& [n2, k] : name_count) if (k > 1) v.push_back(n2); return v; }(), ", "));
            if (!uncontested && problem.empty()) {
                // Ties at the elected/unelected boundary were decided by lot.
                std::int64_t min_elected = INT64_MAX, max_unelected = -1;
                for (auto& x : d.candidates)
                    if (x.elected) min_elected = std::min(min_elected, *x.votes);
                    else max_unelected = std::max(max_unelected, *x.votes);
                if (max_unelected > min_elected) {
                    problem = "an elected candidate has fewer votes than an unelected one";
                } else if (max_unelected == min_elected) {
                    Lots lots;
                    std::vector<std::string> winners;
                    for (auto& x : d.candidates)
                        if (*x.votes == min_elected) {
                            lots.between.push_back(x.name);
                            if (x.elected) winners.push_back(x.name);
                        }
                    // Every tied candidate elected was elected by lot (lots may decide several seats).
                    lots.winners = winners;
                    rep.notes.push_back("tie decided by lot: " + lc.name + ", " + lw.name + ": " + join(lots.between, " / ") + ", elected " + join(winners, ", "));
                    d.lots = std::move(lots);
                    ++rep.lots;
                }
            }
            for (auto& x : cands)
                if (x.elected) ++won_by_group[cbp_group(x.group, x.party)];
            // Turnout from the ward table: ballots = electorate x turnout. The
            // table gives turnout to a tenth of a percent, so the ballots are
            // never put below what the votes need (one vote per seat each).
            if (in.wards) {
                auto t = turnout_by_ward.find("ons:" + w.ons);
                if (w.ons.empty() || t == turnout_by_ward.end())
                    t = turnout_by_ward.find("name:" + council_key(lc.name) + "/" + match_key(lw.name));
                if (t != turnout_by_ward.end() && t->second.electorate) {
                    d.electorate = t->second.electorate;
                    if (!uncontested && t->second.turnout_permille) {
                        std::int64_t total = 0;
                        for (const auto& x : d.candidates) total += x.votes.value_or(0);
                        const std::int64_t need = (total + w.seats - 1) / std::max(w.seats, 1);
                        const std::int64_t ballots = (*d.electorate * *t->second.turnout_permille + 500) / 1000;
                        if (need <= *d.electorate) d.ballots = std::max(ballots, need);
                    }
                    ++rep.wards_with_turnout;
                }
            }
            if (!problem.empty()) {
                rep.warnings.push_back(where + ": " + problem + ": declaration not written (the ward stays undeclared)");
            } else {
                if (uncontested) ++rep.uncontested;
                decls.push_back(std::move(d));
            }
            c.wards.push_back(std::move(w));
        }

        // Size, cycle, continuing seats (CBP-9545).
        const int up = c.seats_up();
        if (cw.cbp && cw.cbp->after_2022.known) {
            const CbpCouncil& cb = *cw.cbp;
            c.region = cb.region;
            c.size = cb.after_2022.total;
            const std::string tag = lc.name + " (council table line " + std::to_string(cb.line) + ")";
            if (up >= c.size) {
                if (up > c.size) {
                    rep.warnings.push_back(tag + ": " + std::to_string(up) + " seats up but size " + std::to_string(c.size) + ": size raised to " + std::to_string(up));
                    c.size = up;
                }
                c.cycle = Cycle::all_out;
                std::vector<std::string> diffs;
                for (auto& [g, n] : cb.after_2022.seats) {
                    const int won = won_by_group.count(g) ? won_by_group[g] : 0;
                    if (n != won) diffs.push_back(g + " " + std::to_string(won) + " won vs " + std::to_string(n) + " in the table");
                }
                if (!diffs.empty()) rep.warnings.push_back(tag + ": all out, but tonight's winners by group differ from the table's composition after the election (" + join(diffs, ", ") + "); nothing continues, so nothing derived from it");
            } else {
                const double r = static_cast<double>(up) / c.size;
                c.cycle = r <= 0.45 ? Cycle::thirds : r <= 0.7 ? Cycle::halves : Cycle::unknown;
                if (!cb.cycle_label.empty()) {
                    const std::string lbl = match_key(cb.cycle_label);
                    const bool says_all = lbl == "all", says_third = lbl.find("third") == 0, says_half = lbl.find("half") == 0;
                    if ((says_all) || (says_third && c.cycle != Cycle::thirds) || (says_half && c.cycle != Cycle::halves))
                        rep.notes.push_back(tag + ": table says '" + cb.cycle_label + "', but " + std::to_string(up) + " of " +
                                            std::to_string(c.size) + " seats are up: " + std::string(to_string(c.cycle)));
                }
                // continuing = composition after the election - won tonight, by group
                for (auto& [g, n] : cb.after_2022.seats) {
                    const int won = won_by_group.count(g) ? won_by_group[g] : 0;
                    int cont = n - won;
                    if (cont < 0) {
                        rep.warnings.push_back(tag + ": continuing " + g + " derived as " + std::to_string(n) + " after - " +
                                               std::to_string(won) + " won tonight = " + std::to_string(cont) + ": clamped to 0");
                        ++clamps;
                        cont = 0;
                    }
                    if (cont > 0) {
                        c.continuing[group_code(g)] = cont;
                        if (g == "OTH") need_others = true;
                    }
                }
                c.continuing_vacancies = std::max(0, cb.vacant_2022 - postponed_seats);
            }
            if (c.cycle == Cycle::all_out) c.continuing_vacancies = 0;
            if (c.cycle == Cycle::all_out && cb.vacant_2022 > postponed_seats)
                rep.warnings.push_back(tag + ": all out, but the table has " + std::to_string(cb.vacant_2022) + " vacant after the election and " +
                                       std::to_string(postponed_seats) + " seats are postponed: the rest is not a continuing vacancy");
            // Invariant: size == continuing + continuing vacancies + seats up.
            int sum = c.continuing_vacancies + up;
            for (auto& [p, n] : c.continuing) sum += n;
            if (sum < c.size) {
                rep.warnings.push_back(tag + ": " + std::to_string(c.size - sum) + " seat(s) of size " + std::to_string(c.size) +
                                       " not accounted for by continuing councillors or seats up: counted as continuing vacancies");
                c.continuing_vacancies += c.size - sum;
            }
            while (sum > c.size) {
                // Too many: take from the continuing vacancies, then from the largest continuing group.
                if (c.continuing_vacancies > 0) {
                    --c.continuing_vacancies;
                } else {
                    auto it = std::max_element(c.continuing.begin(), c.continuing.end(), [](auto& a, auto& b) { return a.second < b.second; });
                    if (it == c.continuing.end()) break;
                    rep.warnings.push_back(tag + ": continuing seats exceed size " + std::to_string(c.size) + " by the clamp: one " + it->first + " continuing seat removed");
                    if (--it->second == 0) c.continuing.erase(it);
                }
                --sum;
            }
            // Eve of poll (proxy): composition and control after May 2018.
            if (cb.after_2018.known) {
                for (auto& [g, n] : cb.after_2018.seats)
                    if (n > 0) {
                        c.composition[group_code(g)] = n;
                        if (g == "OTH") need_others = true;
                    }
                const std::string ctl = cb.after_2018.control;
                c.control_before = ctl == "GRN" ? "GREEN" : ctl.empty() ? std::string() : ctl;
                if (c.control_before == kOthers) need_others = true;
            }
            ++rep.councils_sized;
        } else if (cw.cbp) {
            rep.warnings.push_back(lc.name + ": no composition after the election in the council table: size unknown");
        }

        // Roster: eve-of-poll composition, and the continuing OTH bucket split into parties.
        if (in.roster) {
            auto rit = roster_by_council.find(council_key(lc.name));
            if (rit != roster_by_council.end()) {
                std::map<std::string, int> comp, continuing_others;
                int vacant = 0, continuing_other_total = 0;
                for (auto* r : rit->second) {
                    if (match_key(r->party) == "vacant") { ++vacant; continue; }
                    const std::string code = roster_code(lc.name, r->party);
                    ++comp[code];
                    if (r->next_election != date && code != "CON" && code != "LAB" && code != "LD" && code != "GREEN") {
                        ++continuing_others[code];
                        ++continuing_other_total;
                    }
                }
                c.composition = comp;
                c.vacancies_before = vacant;
                for (auto& [p, n] : comp) if (p == kOthers) need_others = true;
                c.control_before = control_of(comp, vacant, can_control);
                auto oth = c.continuing.find(kOthers);
                if (oth != c.continuing.end() && !continuing_others.count(kOthers) && continuing_other_total == oth->second) {
                    c.continuing.erase(oth);
                    std::vector<std::string> parts;
                    for (auto& [p, n] : continuing_others) {
                        c.continuing[p] += n;
                        parts.push_back(p + " " + std::to_string(n));
                    }
                    rep.notes.push_back(lc.name + ": continuing OTH split by the roster into " + join(parts, ", "));
                }
            }
        }

        // Baseline: who won each seat the last time it was fought (LEAP).
        if (in.baseline) {
            std::vector<const LeapWard*> lwards;
            if (auto it = leap_by_council.find("ons:" + lc.ons); !lc.ons.empty() && it != leap_by_council.end()) lwards = it->second;
            else if (auto n = leap_by_council.find("name:" + council_key(lc.name)); n != leap_by_council.end()) lwards = n->second;
            const bool allow_name = !cw.cbp || cw.cbp->boundary_change;
            for (auto& w : c.wards) {
                const LeapWard* match = nullptr;
                bool by_name = false;
                for (auto* l : lwards)
                    if (!w.ons.empty() && l->ward_ons == w.ons) { match = l; break; }
                if (!match && allow_name)
                    for (auto* l : lwards)
                        if (match_key(l->ward) == match_key(w.name)) { match = l; by_name = true; break; }
                if (!match) continue;
                std::vector<const LeapCandidate*> winners;
                for (auto& x : match->candidates) if (x.elected) winners.push_back(&x);
                std::stable_sort(winners.begin(), winners.end(), [](auto* a, auto* b) { return a->votes > b->votes; });
                if (static_cast<int>(winners.size()) < w.seats) continue;  // a casual vacancy: last fought another year
                for (int s = 0; s < w.seats; ++s) w.last_won.push_back(leap_code(lc.name, winners[static_cast<std::size_t>(s)]->party));
                w.notional = by_name && match->ward_ons != w.ons;
                ++rep.baseline_wards;
                if (w.notional) ++rep.baseline_notional;
            }
        }

        if (cw.cbp && cw.cbp->new_council) {
            // The table's "New Council" column: its first election, no control before.
            c.new_council = true;
            c.control_before.clear();
            c.composition.clear();
            c.vacancies_before = 0;
        } else if (c.control_before.empty()) {
            // Unknown (no council table): the majority rule over
            // whatever composition is known, as the card format would derive it.
            c.control_before = control_of(c.composition, c.vacancies_before, can_control);
        }
        rep.councils += 1;
        rep.wards += c.wards.size();
        rep.seats += static_cast<std::size_t>(up);
        plans.push_back(CountPlan{c.id, c.name, lc.type, static_cast<int>(decls.size())});
        council_decls.push_back(std::move(decls));
        card.councils.push_back(std::move(c));
    }
    if (clamps) rep.notes.push_back(std::to_string(clamps) + " derived continuing group(s) clamped at 0 (see warnings)");
    for (auto& [c, w] : opt.postponed)
        if (!postponed_used.count({council_key(c), match_key(w)}))
            fail("--postponed", 0, "", "no ward '" + w + "' in council '" + c + "' in " + in.candidates.file);
    if (!leap_unmapped.empty()) {
        std::vector<std::string> v;
        for (auto& [p, n] : leap_unmapped) v.push_back(p + " (" + std::to_string(n) + ")");
        rep.notes.push_back("baseline party codes with no party standing tonight, counted as OTH: " + join(v, ", "));
    }

    // Parties on the card: most candidates first.
    std::vector<const PartyInfo*> order;
    for (auto& [code, p] : parties) order.push_back(&p);
    std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->candidates > b->candidates; });
    std::set<std::string> codes;
    for (auto* p : order) codes.insert(p->code);
    if (need_others) codes.insert(kOthers);
    std::set<std::string> alias_used;
    auto make_party = [&](const std::string& code, const std::string& source_name) {
        Party party;
        party.code = code;
        party.name = source_name;
        for (auto& k : kKnown)
            if (code == k.code) {
                if (party.name.empty()) party.name = k.name;
                party.colour = k.colour;
            }
        if (party.name.empty()) party.name = code;
        // Local parties are named in alert text by a short label, not an opaque code.
        if (!std::any_of(std::begin(kKnown), std::end(kKnown), [&](const Known& k) { return code == k.code; })) {
            std::string label = party_label(party.name);
            if (label != code) party.label = std::move(label);
        }
        party.can_control = can_control.count(code) ? can_control[code] : true;
        for (auto& [from, to] : kLeapAliases)
            if (code == to && !codes.count(from) && alias_used.insert(from).second && std::string(from) != code) party.aliases.push_back(from);
        if (code == "GREEN" && !codes.count("GRN") && alias_used.insert("GRN").second) party.aliases.push_back("GRN");
        card.parties.push_back(std::move(party));
    };
    for (auto* p : order) make_party(p->code, p->name);
    if (need_others) make_party(kOthers, "");
    rep.parties = card.parties.size();

    // Times.
    const auto times = synthesise_times(plans, date, opt.seed);
    for (std::size_t i = 0; i < council_decls.size(); ++i) {
        if (times[i].daytime) ++rep.daytime_councils;
        for (std::size_t k = 0; k < council_decls[i].size(); ++k) council_decls[i][k].declared_at = times[i].times[k];
        for (auto& d : council_decls[i]) res.declarations.push_back(std::move(d));
    }
    std::stable_sort(res.declarations.begin(), res.declarations.end(),
                     [](const Declaration& a, const Declaration& b) { return std::tie(a.declared_at, a.id) < std::tie(b.declared_at, b.id); });
    if (!res.declarations.empty()) {
        rep.first_time = res.declarations.front().declared_at;
        rep.last_time = res.declarations.back().declared_at;
    }

    // The eve-of-poll proxies (the 2021 roster, the table's 2018 figures) need
    // not account for tonight's size, nor hold every continuing councillor
    // derived from the 2022 table. A card's composition must (card check), so
    // such a composition is left out; control before, judged on it, stays.
    for (auto& c : card.councils) {
        if (c.composition.empty() || c.size <= 0) continue;
        int held = c.vacancies_before;
        for (auto& [p, n] : c.composition) held += n;
        std::string why;
        if (held != c.size) why = "composition + vacancies " + std::to_string(held) + " != size " + std::to_string(c.size);
        for (auto& [p, n] : c.continuing) {
            auto it = c.composition.find(p);
            if (why.empty() && (it == c.composition.end() || it->second < n))
                why = "continuing " + p + " " + std::to_string(n) + " > eve of poll " +
                      std::to_string(it == c.composition.end() ? 0 : it->second);
        }
        if (why.empty()) continue;
        if (c.control_before.empty()) c.control_before = control_of(c.composition, c.vacancies_before, can_control);
        rep.notes.push_back(c.name + ": eve-of-poll composition left out (" + why + "); control before kept as " +
                            (c.control_before.empty() ? std::string("unknown") : c.control_before));
        c.composition.clear();
        c.vacancies_before = 0;
    }

    // Self-check: the card as written loads, and every declaration is valid against it.
    if (auto loaded = parse_card(card_to_json(card)); !loaded.ok())
        fail("card.json", 0, "", "the importer built a card that does not load (" + loaded.error.message() + ")");
    card.index();
    std::vector<Declaration> valid;
    for (auto& d : res.declarations) {
        Declaration copy = d;
        if (auto e = validate(card, copy)) {
            rep.warnings.push_back(d.id + ": rejected by validation (" + e->message() + "): not written");
            continue;
        }
        valid.push_back(std::move(d));
    }
    res.declarations = std::move(valid);
    rep.declarations = res.declarations.size();
    return res;
}

ImportResult run_import(const ImportOptions& opt) {
    ImportInputs in;
    in.candidates = read_csv_file(opt.candidates);
    if (!opt.councils.empty()) in.councils = read_csv_file(opt.councils);
    if (!opt.baseline.empty()) in.baseline = read_csv_file(opt.baseline);
    if (!opt.roster.empty()) in.roster = read_csv_file(opt.roster);
    std::string names = opt.party_names;
    bool automatic = false;
    if (names.empty()) {
        auto beside = fs::path(opt.candidates).parent_path() / "party-names.csv";
        std::error_code ec;
        if (fs::is_regular_file(beside, ec)) {
            names = beside.string();
            automatic = true;
        }
    }
    if (!names.empty()) in.party_names = read_csv_file(names);
    std::string wards = opt.wards;
    bool wards_beside = false;
    if (wards.empty()) {
        auto beside = fs::path(opt.candidates).parent_path() / "wards.csv";
        std::error_code ec;
        if (fs::is_regular_file(beside, ec)) wards = beside.string(), wards_beside = true;
    }
    if (!wards.empty()) in.wards = read_csv_file(wards);
    ImportResult r = build_import(in, opt);
    if (automatic) r.report.notes.insert(r.report.notes.begin(), "party names from " + names + " (found beside the candidates; --party-names overrides)");
    if (wards_beside) r.report.notes.insert(r.report.notes.begin(), "electorate and turnout from " + wards + " (found beside the candidates; --wards overrides)");
    return r;
}

void write_import(const ImportResult& result, const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail(dir, 0, "", "cannot create output directory: " + ec.message());
    auto write = [&](const std::string& name, const std::string& text) {
        const fs::path final_path = fs::path(dir) / name;
        const fs::path tmp = fs::path(dir) / ("." + name + ".tmp");
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out) fail(tmp.string(), 0, "", "cannot open for writing");
            out << text;
            out.flush();
            if (!out) fail(tmp.string(), 0, "", "cannot write");
        }
        fs::rename(tmp, final_path, ec);
        if (ec) fail(final_path.string(), 0, "", "cannot rename into place: " + ec.message());
    };
    std::string lines;
    for (const auto& d : result.declarations) {
        lines += declaration_to_json(d);
        lines += '\n';
    }
    std::string card = card_to_json(result.card);
    if (card.empty() || card.back() != '\n') card += '\n';
    write("card.json", card);
    write("declarations.jsonl", lines);
}

}  // namespace declared::import
