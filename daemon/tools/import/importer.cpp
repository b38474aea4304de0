#include "daemon/tools/import/importer.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "daemon/tools/import/leap_codes.hpp"
#include "daemon/tools/import/leh.hpp"
#include "daemon/tools/import/notional.hpp"
#include "daemon/tools/import/sources.hpp"
#include "daemon/tools/import/text.hpp"
#include "model/card_json.hpp"
#include "model/control.hpp"
#include "model/majority_holder.hpp"
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

// One import, as its steps: each reads what the earlier ones settled. The
// order of the steps (and of the notes and warnings they add) is the order of
// the report.
class Builder {
public:
    Builder(const ImportInputs& in, const ImportOptions& opt, const LehData& leh) : in_(in), opt_(opt), leh_(leh) {}

    ImportResult run() {
        note_nation();
        choose_date();
        assign_council_ids();
        index_party_names();
        index_turnout();
        cluster_party_names();
        code_parties();
        note_split_abbreviations();
        decide_can_control();
        index_postponed();
        join_council_table();
        index_baseline();
        index_roster();
        index_notional();
        for (auto& cw : work_) build_council(cw);
        check_postponed_used();
        note_unused_notional();
        note_unmapped_baseline();
        write_parties();
        assign_times();
        drop_unfit_compositions();
        self_check();
        return std::move(res_);
    }

private:
    // ---- the night and its councils
    void note_nation() {
        if (leh_.councils.empty())
            refuse(in_.candidates.file, 0, "", "no candidates found" + std::string(leh_.skipped_rows ? " for --nation " + opt_.nation : ""));
        if (!leh_.skipped_councils.empty())
            rep().notes.push_back("skipped " + std::to_string(leh_.skipped_councils.size()) + " councils (" +
                                  std::to_string(leh_.skipped_rows) + " candidates) outside --nation " + opt_.nation);
    }

    void choose_date() {
        date_ = opt_.date;
        if (date_.empty()) {
            if (leh_.year == 0) refuse(in_.candidates.file, 0, "", "no Year column: give the polling day with --date");
            date_ = first_thursday_of_may(leh_.year);
            rep().notes.push_back("polling day " + date_ + " (first Thursday of May " + std::to_string(leh_.year) + "; --date overrides)");
        }
        card().election.id = "local." + date_;
        card().election.name = "Local elections " + date_.substr(0, 4);
        card().election.date = date_;
    }

    // Council ids from names, unique: a repeated slug gets -2, -3 in sorted order.
    void assign_council_ids() {
        for (const auto& c : leh_.councils) work_.push_back(CouncilWork{&c, "", slugify(id_name(c.name)), nullptr, false});
        std::sort(work_.begin(), work_.end(), [](const CouncilWork& a, const CouncilWork& b) {
            return std::tie(a.slug, a.leh->ons, a.leh->name) < std::tie(b.slug, b.leh->ons, b.leh->name);
        });
        std::map<std::string, int> seen;
        for (auto& w : work_) {
            int n = ++seen[w.slug];
            if (n > 1) {
                rep().warnings.push_back("council '" + w.leh->name + "' shares the id slug '" + w.slug + "': made '" + w.slug + "-" + std::to_string(n) + "'");
                w.slug += "-" + std::to_string(n);
            }
            w.id = "local." + w.slug + "." + date_;
        }
    }

    // ---- parties
    void index_party_names() {
        if (in_.party_names)
            for (auto& p : read_party_names(*in_.party_names)) names_by_abbr_[p.abbreviation].push_back(p);
    }

    // Electorate and turnout by ward: by ward ONS code, else by council and ward name.
    void index_turnout() {
        if (!in_.wards) return;
        for (auto& t : read_ward_turnout(*in_.wards)) {
            if (!t.ward_ons.empty()) turnout_by_ward_["ons:" + t.ward_ons] = t;
            turnout_by_ward_["name:" + council_key(t.council) + "/" + match_key(t.ward)] = t;
        }
    }

    // abbreviation -> clusters of names (one cluster = one party)
    void cluster_party_names() {
        for (auto& [abbr, list] : names_by_abbr_) {
            auto& cl = clusters_[abbr];
            for (auto& p : list) {
                bool placed = false;
                for (auto& c : cl)
                    if (same_party(c.front().name, p.name)) { c.push_back(p); placed = true; break; }
                if (!placed) cl.push_back({p});
            }
            std::sort(cl.begin(), cl.end(), [](const auto& a, const auto& b) { return a.front().name < b.front().name; });
        }
    }

    // Every (council, abbreviation) gets its code; the parties are counted.
    void code_parties() {
        for (const auto& c : leh_.councils)
            for (const auto& w : c.wards)
                for (const auto& cand : w.candidates) {
                    auto& p = parties_[code_for(c.name, cand)];
                    ++p.candidates;
                    p.councils.insert(c.name);
                }
    }

    const std::string& code_for(const std::string& council, const LehCandidate& cand) {
        auto key = std::make_pair(council, cand.party);
        auto it = code_of_.find(key);
        if (it != code_of_.end()) return it->second;
        std::string code = cand.party, name;
        auto cl = clusters_.find(cand.party);
        if (cl != clusters_.end() && !cl->second.empty()) {
            std::size_t pick = 0;
            if (cl->second.size() > 1) {
                // the party whose name carries the council's name: "Bolton First" in Bolton
                const std::string ck = council_key(council);
                for (std::size_t i = 0; i < cl->second.size(); ++i)
                    if (!ck.empty() && match_key(cl->second[i].front().name).find(ck) != std::string::npos) pick = i;
                if (pick > 0) code = cand.party + "-" + std::to_string(pick + 1);
            }
            // the most used spelling names the party
            auto& names = cl->second[pick];
            name = std::max_element(names.begin(), names.end(), [](auto& a, auto& b) { return a.candidates < b.candidates; })->name;
        }
        it = code_of_.emplace(key, code).first;
        auto& p = parties_[code];
        if (p.code.empty()) {
            p.code = code;
            p.abbreviation = cand.party;
            p.name = name;
            p.group = cand.group;
        }
        return it->second;
    }

    void note_split_abbreviations() {
        for (auto& [abbr, cl] : clusters_) {
            if (cl.size() < 2) continue;
            std::vector<std::string> parts;
            for (std::size_t i = 0; i < cl.size(); ++i) {
                std::string code = i == 0 ? abbr : abbr + "-" + std::to_string(i + 1);
                if (parties_.count(code)) parts.push_back(code + " = " + cl[i].front().name);
            }
            if (parts.size() > 1) rep().notes.push_back("abbreviation " + abbr + " stands for different parties: split into " + join(parts, ", "));
        }
    }

    void decide_can_control() {
        auto is_independent = [](const PartyInfo& p) { return p.group == "IND" || p.abbreviation == "IND" || p.abbreviation == "ND"; };
        for (auto& [code, p] : parties_) can_control_[code] = !is_independent(p);
        can_control_[kOthers] = false;
    }

    void index_postponed() {
        for (auto& [c, w] : opt_.postponed) postponed_keys_.insert({council_key(c), match_key(w)});
    }

    // ---- the other tables, joined to the councils
    void join_council_table() {
        if (!in_.councils) return;
        cbp_ = read_cbp_councils(*in_.councils);
        std::map<std::string, const CbpCouncil*> by_ons, by_name;
        for (auto& c : cbp_) {
            if (!c.ons.empty()) by_ons[c.ons] = &c;
            by_name[council_key(c.name)] = &c;
        }
        std::set<const CbpCouncil*> used;
        for (auto& w : work_) {
            if (auto it = by_ons.find(w.leh->ons); it != by_ons.end()) {
                w.cbp = it->second;
            } else if (auto n = by_name.find(council_key(w.leh->name)); n != by_name.end()) {
                w.cbp = n->second;
                w.cbp_by_name = true;
                rep().notes.push_back("council table joined by name: " + w.leh->name + " (" + w.leh->ons + " in the candidates, " + n->second->ons + " in the council table)");
            } else {
                rep().warnings.push_back("council '" + w.leh->name + "' is not in the council table: size unknown, no control arithmetic");
            }
            if (w.cbp) used.insert(w.cbp);
        }
        for (auto& c : cbp_)
            if (!used.count(&c)) rep().warnings.push_back("council table row '" + c.name + "' (line " + std::to_string(c.line) + ") has no candidates in the table: ignored");
    }

    // LEAP baseline, indexed by council (by ONS code and by name key).
    void index_baseline() {
        if (!in_.baseline) return;
        leap_ = read_leap_baseline(*in_.baseline);
        for (auto& w : leap_) {
            if (!w.council_ons.empty()) leap_by_council_["ons:" + w.council_ons].push_back(&w);
            leap_by_council_["name:" + council_key(w.council)].push_back(&w);
        }
    }

    std::string leap_code(const std::string& council_name, const std::string& lp) {
        for (auto& [from_sv, to_sv] : kLeapAliases)
            if (lp == from_sv) {
                const std::string to(to_sv);
                auto it = code_of_.find({council_name, to});
                if (it != code_of_.end()) return it->second;
                if (parties_.count(to)) return to;
            }
        for (auto& [code, p] : parties_)
            if (match_key(code) == match_key(lp)) return code;
        ++leap_unmapped_[lp.empty() ? "(none)" : lp];
        need_others_ = true;
        return kOthers;
    }

    void index_roster() {
        if (in_.roster) roster_ = read_roster(*in_.roster);
        for (auto& r : roster_) roster_by_council_[council_key(r.council)].push_back(&r);
        for (auto& [abbr, cl] : clusters_)
            if (cl.size() == 1 && parties_.count(abbr))
                for (auto& p : cl[0]) full_name_code_[party_key(p.name)] = abbr;
    }

    std::string roster_code(const std::string& council_name, const std::string& party) const {
        const std::string k = match_key(party);
        if (k.find("conservative") == 0) return "CON";
        if (k.find("labour") == 0) return "LAB";
        if (k.find("liberaldemocrat") == 0) return "LD";
        if (k.find("greenparty") == 0 || k == "green") return "GREEN";
        if (k == "independent") return "IND";
        if (auto it = full_name_code_.find(party_key(party)); it != full_name_code_.end()) return it->second;
        // a split abbreviation: the council's own party
        for (auto& [abbr, cl] : clusters_)
            for (auto& group : cl)
                for (auto& p : group)
                    if (party_key(p.name) == party_key(party))
                        if (auto it = code_of_.find({council_name, abbr}); it != code_of_.end()) return it->second;
        return kOthers;
    }

    // ---- one council: its wards and declarations, then size, eve of poll, baseline
    struct Tonight {
        std::vector<Declaration> decls;
        std::map<std::string, int> won_by_group;  // CBP groups, postponed polls excluded
        int postponed_seats = 0;
    };

    void build_council(const CouncilWork& cw) {
        const LehCouncil& lc = *cw.leh;
        Council c;
        c.id = cw.id;
        c.ons = lc.ons;
        c.name = lc.name;
        c.region = lc.county;  // the council table's region replaces it
        Tonight t;
        std::map<std::string, int> ward_slugs;
        for (const auto& lw : lc.wards) build_ward(cw, c, lw, ward_slugs, t);
        const int up = c.seats_up();
        if (cw.cbp && cw.cbp->after_2022.known) apply_council_table(c, *cw.cbp, t);
        else if (cw.cbp) rep().warnings.push_back(lc.name + ": no composition after the election in the council table: size unknown");
        if (in_.roster) apply_roster(c);
        if (in_.baseline) apply_baseline(c, cw);
        if (in_.notional) apply_notional(c);
        for (const auto& w : c.wards)
            if (!w.last_won.empty() && !w.postponed) rep().baseline_seats += static_cast<std::size_t>(w.seats);
        settle_control_before(c, cw);
        rep().councils += 1;
        rep().wards += c.wards.size();
        rep().seats += static_cast<std::size_t>(up);
        plans_.push_back(CountPlan{c.id, c.name, lc.type, static_cast<int>(t.decls.size())});
        council_decls_.push_back(std::move(t.decls));
        card().councils.push_back(std::move(c));
    }

    void build_ward(const CouncilWork& cw, Council& c, const LehWard& lw, std::map<std::string, int>& ward_slugs, Tonight& t) {
        Ward w;
        std::string slug = slugify(lw.name);
        int n = ++ward_slugs[slug];
        if (n > 1) {
            rep().warnings.push_back(c.name + ": ward '" + lw.name + "' shares the id slug '" + slug + "': made '" + slug + "-" + std::to_string(n) + "'");
            slug += "-" + std::to_string(n);
        }
        w.id = "local." + cw.slug + "." + slug + "." + date_;
        w.name = lw.name;
        w.ons = lw.ons;
        w.seats = lw.seats;
        rep().candidates += lw.candidates.size();
        const auto pkey = std::make_pair(council_key(c.name), match_key(lw.name));
        if (postponed_keys_.count(pkey)) {
            w.postponed = true;
            postponed_used_.insert(pkey);
            t.postponed_seats += w.seats;
            ++rep().postponed_wards;
            rep().postponed_seats += static_cast<std::size_t>(w.seats);
        } else if (auto d = declaration_of(c, w, lw, t)) {
            t.decls.push_back(std::move(*d));
        }
        c.wards.push_back(std::move(w));
    }

    // The ward's declaration, or nullopt (with a warning) when its data does not add up.
    std::optional<Declaration> declaration_of(const Council& c, const Ward& w, const LehWard& lw, Tonight& t) {
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
        const std::string where = in_.candidates.file + ":" + std::to_string(lw.line) + ": " + c.name + ", " + lw.name;
        std::string problem;
        if (elected != w.seats)
            problem = std::to_string(elected) + " elected for " + std::to_string(w.seats) + " seats";
        else if (!uncontested && some_missing)
            problem = "some candidates have votes and others none";
        else if (all_zero && !uncontested)
            problem = "no votes recorded but not every candidate elected";
        add_candidates(d, c, cands, uncontested, where);
        if (!uncontested && problem.empty()) problem = record_lots(d, c, lw);
        for (auto& x : cands)
            if (x.elected) ++t.won_by_group[cbp_group(x.group, x.party)];
        if (in_.wards) add_turnout(d, c, w, lw, uncontested);
        if (!problem.empty()) {
            rep().warnings.push_back(where + ": " + problem + ": declaration not written (the ward stays undeclared)");
            return std::nullopt;
        }
        if (uncontested) ++rep().uncontested;
        return d;
    }

    // Candidates with their codes; two of one name are told apart by party.
    void add_candidates(Declaration& d, const Council& c, const std::vector<LehCandidate>& cands, bool uncontested, const std::string& where) {
        std::map<std::string, int> name_count;
        for (auto& x : cands) ++name_count[x.name];
        std::map<std::string, int> name_seen;
        for (auto& x : cands) {
            Candidate out;
            out.name = x.name;
            if (name_count[x.name] > 1) {
                out.name = x.name + " (" + code_of_[{c.name, x.party}] + ")";
                if (++name_seen[out.name] > 1) out.name += " " + std::to_string(name_seen[out.name]);
            }
            out.party = code_of_[{c.name, x.party}];
            if (!uncontested) out.votes = x.votes.value_or(0);
            out.elected = x.elected;
            d.candidates.push_back(std::move(out));
        }
        if (name_count.size() < cands.size()) {
            std::vector<std::string> v;
            for (auto& [n2, k] : name_count)
                if (k > 1) v.push_back(n2);
            rep().warnings.push_back(where + ": candidates with the same name told apart by party: " + join(v, ", "));
        }
    }

    // Ties at the elected/unelected boundary were decided by lot: every tied
    // candidate elected was elected by lot (lots may decide several seats).
    // Returns the problem when an elected candidate has fewer votes than an unelected one.
    std::string record_lots(Declaration& d, const Council& c, const LehWard& lw) {
        std::int64_t min_elected = INT64_MAX, max_unelected = -1;
        for (auto& x : d.candidates)
            if (x.elected) min_elected = std::min(min_elected, *x.votes);
            else max_unelected = std::max(max_unelected, *x.votes);
        if (max_unelected > min_elected) return "an elected candidate has fewer votes than an unelected one";
        if (max_unelected < min_elected) return {};
        Lots lots;
        std::vector<std::string> winners;
        for (auto& x : d.candidates)
            if (*x.votes == min_elected) {
                lots.between.push_back(x.name);
                if (x.elected) winners.push_back(x.name);
            }
        lots.winners = winners;
        rep().notes.push_back("tie decided by lot: " + c.name + ", " + lw.name + ": " + join(lots.between, " / ") + ", elected " + join(winners, ", "));
        d.lots = std::move(lots);
        ++rep().lots;
        return {};
    }

    // Turnout from the ward table: ballots = electorate x turnout. The table
    // gives turnout to a tenth of a percent, so the ballots are never put
    // below what the votes need (one vote per seat each).
    void add_turnout(Declaration& d, const Council& c, const Ward& w, const LehWard& lw, bool uncontested) {
        auto t = turnout_by_ward_.find("ons:" + w.ons);
        if (w.ons.empty() || t == turnout_by_ward_.end())
            t = turnout_by_ward_.find("name:" + council_key(c.name) + "/" + match_key(lw.name));
        if (t == turnout_by_ward_.end() || !t->second.electorate) return;
        d.electorate = t->second.electorate;
        if (!uncontested && t->second.turnout_permille) {
            std::int64_t total = 0;
            for (const auto& x : d.candidates) total += x.votes.value_or(0);
            const std::int64_t need = (total + w.seats - 1) / std::max(w.seats, 1);
            const std::int64_t ballots = (*d.electorate * *t->second.turnout_permille + 500) / 1000;
            if (need <= *d.electorate) d.ballots = std::max(ballots, need);
        }
        ++rep().wards_with_turnout;
    }

    // Size, cycle, continuing seats and the eve-of-poll proxy (CBP-9545).
    void apply_council_table(Council& c, const CbpCouncil& cb, const Tonight& t) {
        const int up = c.seats_up();
        c.region = cb.region;
        c.size = cb.after_2022.total;
        const std::string tag = c.name + " (council table line " + std::to_string(cb.line) + ")";
        if (up >= c.size) all_out_from_table(c, cb, t, tag);
        else continuing_from_table(c, cb, t, tag);
        if (c.cycle == Cycle::all_out) c.continuing_vacancies = 0;
        if (c.cycle == Cycle::all_out && cb.vacant_2022 > t.postponed_seats)
            rep().warnings.push_back(tag + ": all out, but the table has " + std::to_string(cb.vacant_2022) + " vacant after the election and " +
                                     std::to_string(t.postponed_seats) + " seats are postponed: the rest is not a continuing vacancy");
        enforce_invariant(c, tag);
        // Eve of poll (proxy): composition and control after May 2018.
        if (cb.after_2018.known) {
            for (auto& [g, n] : cb.after_2018.seats)
                if (n > 0) {
                    c.composition[group_code(g)] = n;
                    if (g == "OTH") need_others_ = true;
                }
            const std::string ctl = cb.after_2018.control;
            c.control_before = ctl == "GRN" ? "GREEN" : ctl.empty() ? std::string() : ctl;
            if (c.control_before == kOthers) need_others_ = true;
        }
        ++rep().councils_sized;
    }

    void all_out_from_table(Council& c, const CbpCouncil& cb, const Tonight& t, const std::string& tag) {
        const int up = c.seats_up();
        if (up > c.size) {
            rep().warnings.push_back(tag + ": " + std::to_string(up) + " seats up but size " + std::to_string(c.size) + ": size raised to " + std::to_string(up));
            c.size = up;
        }
        c.cycle = Cycle::all_out;
        std::vector<std::string> diffs;
        for (auto& [g, n] : cb.after_2022.seats) {
            const int won = t.won_by_group.count(g) ? t.won_by_group.at(g) : 0;
            if (n != won) diffs.push_back(g + " " + std::to_string(won) + " won vs " + std::to_string(n) + " in the table");
        }
        if (!diffs.empty())
            rep().warnings.push_back(tag + ": all out, but tonight's winners by group differ from the table's composition after the election (" +
                                     join(diffs, ", ") + "); nothing continues, so nothing derived from it");
    }

    // Not all out: the cycle from the share of seats up; continuing = the
    // composition after the election - won tonight, by group.
    void continuing_from_table(Council& c, const CbpCouncil& cb, const Tonight& t, const std::string& tag) {
        const int up = c.seats_up();
        const double r = static_cast<double>(up) / c.size;
        c.cycle = r <= 0.45 ? Cycle::thirds : r <= 0.7 ? Cycle::halves : Cycle::unknown;
        if (!cb.cycle_label.empty()) {
            const std::string lbl = match_key(cb.cycle_label);
            const bool says_all = lbl == "all", says_third = lbl.find("third") == 0, says_half = lbl.find("half") == 0;
            if ((says_all) || (says_third && c.cycle != Cycle::thirds) || (says_half && c.cycle != Cycle::halves))
                rep().notes.push_back(tag + ": table says '" + cb.cycle_label + "', but " + std::to_string(up) + " of " +
                                      std::to_string(c.size) + " seats are up: " + std::string(to_string(c.cycle)));
        }
        for (auto& [g, n] : cb.after_2022.seats) {
            const int won = t.won_by_group.count(g) ? t.won_by_group.at(g) : 0;
            int cont = n - won;
            if (cont < 0) {
                rep().warnings.push_back(tag + ": continuing " + g + " derived as " + std::to_string(n) + " after - " +
                                         std::to_string(won) + " won tonight = " + std::to_string(cont) + ": clamped to 0");
                ++clamps_;
                cont = 0;
            }
            if (cont > 0) {
                c.continuing[group_code(g)] = cont;
                if (g == "OTH") need_others_ = true;
            }
        }
        c.continuing_vacancies = std::max(0, cb.vacant_2022 - t.postponed_seats);
    }

    // Invariant: size == continuing + continuing vacancies + seats up.
    void enforce_invariant(Council& c, const std::string& tag) {
        int sum = c.continuing_vacancies + c.seats_up();
        for (auto& [p, n] : c.continuing) sum += n;
        if (sum < c.size) {
            rep().warnings.push_back(tag + ": " + std::to_string(c.size - sum) + " seat(s) of size " + std::to_string(c.size) +
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
                rep().warnings.push_back(tag + ": continuing seats exceed size " + std::to_string(c.size) + " by the clamp: one " + it->first + " continuing seat removed");
                if (--it->second == 0) c.continuing.erase(it);
            }
            --sum;
        }
    }

    // Roster: eve-of-poll composition, and the continuing OTH bucket split into parties.
    void apply_roster(Council& c) {
        auto rit = roster_by_council_.find(council_key(c.name));
        if (rit == roster_by_council_.end()) return;
        std::map<std::string, int> comp, continuing_others;
        int vacant = 0, continuing_other_total = 0;
        for (auto* r : rit->second) {
            if (match_key(r->party) == "vacant") { ++vacant; continue; }
            const std::string code = roster_code(c.name, r->party);
            ++comp[code];
            if (r->next_election != date_ && code != "CON" && code != "LAB" && code != "LD" && code != "GREEN") {
                ++continuing_others[code];
                ++continuing_other_total;
            }
        }
        c.composition = comp;
        c.vacancies_before = vacant;
        for (auto& [p, n] : comp)
            if (p == kOthers) need_others_ = true;
        c.control_before = control_before_of(c);
        auto oth = c.continuing.find(kOthers);
        if (oth != c.continuing.end() && !continuing_others.count(kOthers) && continuing_other_total == oth->second) {
            c.continuing.erase(oth);
            std::vector<std::string> parts;
            for (auto& [p, n] : continuing_others) {
                c.continuing[p] += n;
                parts.push_back(p + " " + std::to_string(n));
            }
            rep().notes.push_back(c.name + ": continuing OTH split by the roster into " + join(parts, ", "));
        }
    }

    // Baseline: who won each seat the last time it was fought (LEAP).
    void apply_baseline(Council& c, const CouncilWork& cw) {
        std::vector<const LeapWard*> lwards;
        if (auto it = leap_by_council_.find("ons:" + c.ons); !c.ons.empty() && it != leap_by_council_.end()) lwards = it->second;
        else if (auto n = leap_by_council_.find("name:" + council_key(c.name)); n != leap_by_council_.end()) lwards = n->second;
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
            for (auto& x : match->candidates)
                if (x.elected) winners.push_back(&x);
            std::stable_sort(winners.begin(), winners.end(), [](auto* a, auto* b) { return a->votes > b->votes; });
            if (static_cast<int>(winners.size()) < w.seats) continue;  // a casual vacancy: last fought another year
            for (int s = 0; s < w.seats; ++s) w.last_won.push_back(leap_code(c.name, winners[static_cast<std::size_t>(s)]->party));
            w.notional = by_name && match->ward_ons != w.ons;
            ++rep().baseline_wards;
            if (w.notional) ++rep().baseline_notional;
        }
    }

    // Notional baseline, indexed by council (ONS code and name key) and then ward.
    void index_notional() {
        if (!in_.notional) return;
        notional_ = read_notional(*in_.notional);
        for (auto& n : notional_) {
            if (!n.council_ons.empty()) notional_by_council_["ons:" + n.council_ons].push_back(&n);
            if (!n.council.empty()) notional_by_council_["name:" + council_key(n.council)].push_back(&n);
        }
    }

    // A ward the notional table covers takes its winners from it (over the
    // LEAP baseline): the parties by seats, most first; notional: true.
    void apply_notional(Council& c) {
        std::vector<const NotionalWard*> rows;
        if (auto it = notional_by_council_.find("ons:" + c.ons); !c.ons.empty() && it != notional_by_council_.end()) rows = it->second;
        else if (auto n = notional_by_council_.find("name:" + council_key(c.name)); n != notional_by_council_.end()) rows = n->second;
        for (auto& w : c.wards) {
            const NotionalWard* match = nullptr;
            for (auto* n : rows)
                if ((!w.ons.empty() && n->ward_ons == w.ons) || (n->ward_ons.empty() && match_key(n->ward) == match_key(w.name))) {
                    match = n;
                    break;
                }
            if (!match) continue;
            notional_used_.insert(match);
            if (match->total() != w.seats) {
                rep().warnings.push_back(in_.notional->file + ":" + std::to_string(match->line) + ": " + c.name + ", " + w.name + ": " +
                                         std::to_string(match->total()) + " notional seats for " + std::to_string(w.seats) +
                                         " up tonight: not used");
                continue;
            }
            auto seats = match->seats;
            std::stable_sort(seats.begin(), seats.end(), [](auto& a, auto& b) { return a.second > b.second; });
            const bool had = !w.last_won.empty();
            w.last_won.clear();
            for (auto& [party, n] : seats)
                for (int k = 0; k < n; ++k) w.last_won.push_back(notional_code(c.name, party));
            if (!had) ++rep().baseline_wards;
            if (!had || !w.notional) ++rep().baseline_notional;
            w.notional = true;
            ++rep().notional_wards;
        }
    }

    // A notional table's party: tonight's code for that council, a code on the card, else as a LEAP code.
    std::string notional_code(const std::string& council_name, const std::string& party) {
        if (auto it = code_of_.find({council_name, party}); it != code_of_.end()) return it->second;
        if (parties_.count(party)) return party;
        return leap_code(council_name, party);
    }

    void note_unused_notional() {
        if (!in_.notional) return;
        std::size_t unused = 0;
        std::string first;
        for (auto& n : notional_)
            if (!notional_used_.count(&n) && unused++ == 0) first = n.council + n.council_ons + ", " + n.ward + n.ward_ons;
        if (unused) rep().warnings.push_back(in_.notional->file + ": " + std::to_string(unused) + " ward(s) match no ward polling tonight (first: " + first + "): not used");
        rep().notes.push_back("notional baseline " + in_.notional->file + ": " + std::to_string(rep().notional_wards) + " wards");
    }

    void settle_control_before(Council& c, const CouncilWork& cw) {
        if (cw.cbp && cw.cbp->new_council) {
            // The table's "New Council" column: its first election, no control before.
            c.new_council = true;
            c.control_before.clear();
            c.composition.clear();
            c.vacancies_before = 0;
        } else if (c.control_before.empty()) {
            // Not in the council table: the majority rule over whatever composition is known.
            c.control_before = control_before_of(c);
        }
    }

    // Eve-of-poll control by model/control's majority rule, on the size before
    // less the vacancies; unknown ("") without a size or a composition.
    std::string control_before_of(const Council& c) const {
        if (c.eve_size() <= 0 || c.composition.empty()) return {};
        return control::majority_holder(c.composition, control::majority(c.eve_size(), c.vacancies_before), [&](const std::string& p) {
            auto it = can_control_.find(p);
            return it == can_control_.end() || it->second;
        });
    }

    // ---- the whole night
    void check_postponed_used() {
        if (clamps_) rep().notes.push_back(std::to_string(clamps_) + " derived continuing group(s) clamped at 0 (see warnings)");
        for (auto& [c, w] : opt_.postponed)
            if (!postponed_used_.count({council_key(c), match_key(w)}))
                refuse("--postponed", 0, "", "no ward '" + w + "' in council '" + c + "' in " + in_.candidates.file);
    }

    void note_unmapped_baseline() {
        if (leap_unmapped_.empty()) return;
        std::vector<std::string> v;
        for (auto& [p, n] : leap_unmapped_) v.push_back(p + " (" + std::to_string(n) + ")");
        rep().notes.push_back("baseline party codes with no party standing tonight, counted as OTH: " + join(v, ", "));
    }

    // Parties on the card: most candidates first.
    void write_parties() {
        std::vector<const PartyInfo*> order;
        for (auto& [code, p] : parties_) order.push_back(&p);
        std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->candidates > b->candidates; });
        for (auto* p : order) codes_.insert(p->code);
        if (need_others_) codes_.insert(kOthers);
        for (auto* p : order) card().parties.push_back(make_party(p->code, p->name));
        if (need_others_) card().parties.push_back(make_party(kOthers, ""));
        rep().parties = card().parties.size();
    }

    Party make_party(const std::string& code, const std::string& source_name) {
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
        party.can_control = can_control_.count(code) ? can_control_[code] : true;
        for (auto& [from_sv, to] : kLeapAliases) {
            const std::string from(from_sv);
            if (code == to && !codes_.count(from) && alias_used_.insert(from).second && from != code) party.aliases.push_back(from);
        }
        if (code == "GREEN" && !codes_.count("GRN") && alias_used_.insert("GRN").second) party.aliases.push_back("GRN");
        return party;
    }

    void assign_times() {
        const auto times = synthesise_times(plans_, date_, opt_.seed);
        for (std::size_t i = 0; i < council_decls_.size(); ++i) {
            if (times[i].daytime) ++rep().daytime_councils;
            for (std::size_t k = 0; k < council_decls_[i].size(); ++k) council_decls_[i][k].declared_at = times[i].times[k];
            for (auto& d : council_decls_[i]) res_.declarations.push_back(std::move(d));
        }
        std::stable_sort(res_.declarations.begin(), res_.declarations.end(),
                         [](const Declaration& a, const Declaration& b) { return std::tie(a.declared_at, a.id) < std::tie(b.declared_at, b.id); });
        if (!res_.declarations.empty()) {
            rep().first_time = res_.declarations.front().declared_at;
            rep().last_time = res_.declarations.back().declared_at;
        }
    }

    // The eve-of-poll proxies (the 2021 roster, the table's 2018 figures) need
    // not account for tonight's size, nor hold every continuing councillor
    // derived from the 2022 table. A card's composition must (card check), so
    // such a composition is left out; control before, judged on it, stays.
    void drop_unfit_compositions() {
        for (auto& c : card().councils) {
            if (c.composition.empty() || c.size <= 0) continue;
            const std::string why = unfit_composition(c);
            if (why.empty()) continue;
            if (c.control_before.empty()) c.control_before = control_before_of(c);
            rep().notes.push_back(c.name + ": eve-of-poll composition left out (" + why + "); control before kept as " +
                                  (c.control_before.empty() ? std::string("unknown") : c.control_before));
            c.composition.clear();
            c.vacancies_before = 0;
        }
    }

    static std::string unfit_composition(const Council& c) {
        int held = c.vacancies_before;
        for (auto& [p, n] : c.composition) held += n;
        if (held != c.size) return "composition + vacancies " + std::to_string(held) + " != size " + std::to_string(c.size);
        for (auto& [p, n] : c.continuing) {
            auto it = c.composition.find(p);
            if (it == c.composition.end() || it->second < n)
                return "continuing " + p + " " + std::to_string(n) + " > eve of poll " + std::to_string(it == c.composition.end() ? 0 : it->second);
        }
        return {};
    }

    // The card as written loads, and every declaration is valid against it.
    void self_check() {
        if (auto loaded = parse_card(card_to_json(card())); !loaded.ok())
            refuse("card.json", 0, "", "the importer built a card that does not load (" + loaded.error.message() + ")");
        card().index();
        std::vector<Declaration> valid;
        for (auto& d : res_.declarations) {
            Declaration copy = d;
            if (auto e = validate(card(), copy)) {
                rep().warnings.push_back(d.id + ": rejected by validation (" + e->message() + "): not written");
                continue;
            }
            valid.push_back(std::move(d));
        }
        res_.declarations = std::move(valid);
        rep().declarations = res_.declarations.size();
    }

    ImportReport& rep() { return res_.report; }
    Card& card() { return res_.card; }

    const ImportInputs& in_;
    const ImportOptions& opt_;
    const LehData& leh_;
    ImportResult res_;
    std::string date_;
    std::vector<CouncilWork> work_;
    std::map<std::string, std::vector<PartyName>> names_by_abbr_;
    std::map<std::string, WardTurnout> turnout_by_ward_;
    std::map<std::string, std::vector<std::vector<PartyName>>> clusters_;
    std::map<std::pair<std::string, std::string>, std::string> code_of_;  // (council name, abbreviation) -> code
    std::map<std::string, PartyInfo> parties_;                             // by code
    std::map<std::string, bool> can_control_;
    bool need_others_ = false;
    std::set<std::pair<std::string, std::string>> postponed_keys_, postponed_used_;  // council key, ward key
    std::vector<CbpCouncil> cbp_;
    std::vector<LeapWard> leap_;
    std::map<std::string, std::vector<const LeapWard*>> leap_by_council_;
    std::map<std::string, std::size_t> leap_unmapped_;
    std::vector<NotionalWard> notional_;
    std::map<std::string, std::vector<const NotionalWard*>> notional_by_council_;
    std::set<const NotionalWard*> notional_used_;
    std::vector<RosterEntry> roster_;
    std::map<std::string, std::vector<const RosterEntry*>> roster_by_council_;
    std::map<std::string, std::string> full_name_code_;  // party_key(full name) -> code (unsplit only)
    std::vector<CountPlan> plans_;
    std::vector<std::vector<Declaration>> council_decls_;
    std::size_t clamps_ = 0;
    std::set<std::string> codes_, alias_used_;
};

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
    o << "  wards with a last-fought baseline " << baseline_wards << " (notional " << baseline_notional << ", from --notional " << notional_wards
      << "); seats up with a baseline " << baseline_seats << " of " << seats - postponed_seats << " (postponed polls out)\n";
    o << "  declaration times " << first_time << " .. " << last_time << " (" << daytime_councils << " councils count on Friday daytime)\n";
    for (const auto& n : notes) o << "  note: " << n << "\n";
    o << "  warnings: " << warnings.size() << "\n";
    for (const auto& w : warnings) o << "  warning: " << w << "\n";
    return o.str();
}

ImportResult build_import(const ImportInputs& in, const ImportOptions& opt, const LehData& leh) {
    return Builder(in, opt, leh).run();
}

ImportResult build_import(const ImportInputs& in, const ImportOptions& opt) {
    const LehData leh = read_leh_candidates(in.candidates, opt.nation);
    return build_import(in, opt, leh);
}

ImportResult run_import(const ImportOptions& opt) {
    ImportInputs in;
    in.candidates = read_csv_file(opt.candidates);
    if (!opt.councils.empty()) in.councils = read_csv_file(opt.councils);
    if (!opt.baseline.empty()) in.baseline = read_csv_file(opt.baseline);
    if (!opt.roster.empty()) in.roster = read_csv_file(opt.roster);
    if (!opt.notional.empty()) in.notional = read_csv_file(opt.notional);
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
    if (ec) refuse(dir, 0, "", "cannot create output directory: " + ec.message());
    auto write = [&](const std::string& name, const std::string& text) {
        const fs::path final_path = fs::path(dir) / name;
        const fs::path tmp = fs::path(dir) / ("." + name + ".tmp");
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out) refuse(tmp.string(), 0, "", "cannot open for writing");
            out << text;
            out.flush();
            if (!out) refuse(tmp.string(), 0, "", "cannot write");
        }
        fs::rename(tmp, final_path, ec);
        if (ec) refuse(final_path.string(), 0, "", "cannot rename into place: " + ec.message());
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
