#include "daemon/tools/generate/generator.hpp"
#include "daemon/tools/civil_date.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string_view>

#include "daemon/tools/generate/hex_layout.hpp"
#include "daemon/tools/generate/names.hpp"
#include "daemon/tools/generate/rng.hpp"
#include "model/control.hpp"
#include "model/majority_holder.hpp"
#include "model/utc_time.hpp"

namespace declared::generate {

namespace {

// ---------------------------------------------------------------------------
// Parties. Shares are integer weights in permille of the vote; LOCAL is the
// council's own local party (if it has one), its code differs per council.

enum P : int { LAB, CON, LD, GREEN, REF, IND, TUSC, SDP, LOCAL, kParties };
using Shares = std::array<int, kParties>;

struct PartyInfo {
    std::string_view code, name, colour;
    std::array<std::string_view, 3> aliases;
    bool can_control;
};
constexpr std::array<PartyInfo, LOCAL> kNational = {{
    {"LAB", "Labour Party", "#e4003b", {"Lab", "Labour", "Labour and Co-operative Party"}, true},
    {"CON", "Conservative and Unionist Party", "#0087dc", {"C", "Con", "Conservative"}, true},
    {"LD", "Liberal Democrats", "#faa61a", {"Lib Dem", "Liberal Democrat", ""}, true},
    {"GREEN", "Green Party", "#02a95b", {"Grn", "GRN", "Green"}, true},
    {"REF", "Reform UK", "#12b6cf", {"Reform", "Reform UK", ""}, true},
    {"IND", "Independent", "#aaaaaa", {"Ind", "Independent", "ND"}, false},
    {"TUSC", "Trade Unionist and Socialist Coalition", "#ec008c", {"", "", ""}, true},
    {"SDP", "Social Democratic Party", "#004a8f", {"", "", ""}, true},
}};

// ---------------------------------------------------------------------------
// Regions and their party strengths the last time these seats were fought.

struct Region {
    std::string_view name;
    Shares base;  // LAB CON LD GREEN REF IND TUSC SDP LOCAL
};
constexpr std::array<Region, 9> kRegions = {{
    {"North East", {430, 250, 80, 60, 90, 90, 5, 4, 0}},
    {"North West", {410, 270, 100, 70, 70, 80, 5, 4, 0}},
    {"Yorkshire and The Humber", {370, 290, 110, 80, 80, 70, 5, 4, 0}},
    {"East Midlands", {320, 390, 80, 70, 70, 70, 4, 4, 0}},
    {"West Midlands", {340, 380, 70, 70, 80, 60, 4, 4, 0}},
    {"East of England", {250, 420, 130, 80, 70, 50, 3, 4, 0}},
    {"London", {420, 270, 130, 110, 30, 40, 5, 2, 0}},
    {"South East", {200, 420, 190, 90, 50, 50, 3, 4, 0}},
    {"South West", {170, 400, 240, 90, 50, 50, 3, 4, 0}},
}};
constexpr int kLondon = 6;
// Where councils of each kind are (weights by region index).
constexpr std::array<int, 9> kMetRegions = {2, 5, 4, 0, 3, 0, 0, 0, 0};
constexpr std::array<int, 9> kShireRegions = {3, 8, 6, 10, 8, 13, 0, 18, 10};

// ---------------------------------------------------------------------------
// Time: seconds since 00:00 UTC of polling day. Polls close 22:00 BST = 21:00Z.

constexpr int kPollsClose = 21 * 3600;
constexpr int minutes_after_close(int m) { return kPollsClose + m * 60; }



long parse_date(const std::string& s) {
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
        d > 31)
        throw std::invalid_argument("--date: expected YYYY-MM-DD, got '" + s + "'");
    long yy;
    unsigned mm, dd;
    const long days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    civil_from_days(days, yy, mm, dd);
    if (yy != y || mm != static_cast<unsigned>(m) || dd != static_cast<unsigned>(d))
        throw std::invalid_argument("--date: no such day '" + s + "'");
    return days;
}

std::string iso_time(long polling_day, int secs) {
    return format_utc((static_cast<std::int64_t>(polling_day) * 86400 + secs) * 1000);
}

// ---------------------------------------------------------------------------
// One council while it is being generated.

struct SimWard {
    int members = 1;        // councillors the ward has
    int up = 1;             // seats up tonight (0: no poll tonight, not on the card)
    Shares lean{};          // the ward's persistent lean, added to the council's shares
    std::string name;
};

struct SimCouncil {
    Council c;
    CouncilType type = CouncilType::district;
    int region = 0;
    bool fresh = false;        // a new council: no baseline, no eve-of-poll composition
    bool boundaries = false;   // new boundaries: baselines are notional
    std::string local_code;    // its local party's code, or empty
    Shares last{}, now{};      // council-wide strengths last time and tonight
    int turnout = 300;         // council's base turnout, permille
    int electors = 3000;       // electors per councillor
    std::vector<Declaration> decl;      // per card ward (postponed: unused)
    std::vector<char> uncontested;      // per card ward
    std::map<std::string, int> holders; // eve of poll: who holds the seats up tonight
    int up_vacant = 0;                  // seats up tonight already vacant on the eve of poll
    std::vector<int> times;             // per card ward, seconds (postponed: unused)
    bool daytime = false;
};

std::string code_of(const SimCouncil& sc, int p) {
    return p == LOCAL ? sc.local_code : std::string(kNational[static_cast<std::size_t>(p)].code);
}

Shares clamp_shares(Shares s) {
    for (auto& v : s) v = std::max(v, 0);
    return s;
}

// Strengths in a year between last time (k = 0) and tonight (k = 4).
Shares shares_at(const SimCouncil& sc, const Shares& lean, int k) {
    Shares s{};
    for (int p = 0; p < kParties; ++p) {
        const int council = sc.last[p] + (sc.now[p] - sc.last[p]) * k / 4;
        s[p] = council > 0 ? std::max(0, council + lean[p]) : 0;
    }
    return s;
}

// A quick contest (no names, no turnout): the parties of the `seats` winners,
// most votes first. Used for the baselines and the continuing councillors.
std::vector<int> quick_winners(Rng& rng, const Shares& s, int seats) {
    struct Cand {
        int party;
        int strength;
    };
    std::vector<Cand> cands;
    for (int p = 0; p < kParties; ++p) {
        if (s[p] <= 0 || p == TUSC || p == SDP) continue;
        if (s[p] < 40 && !rng.chance(1, 2)) continue;
        const int slate = (p == IND) ? 1 : seats;
        for (int i = 0; i < slate; ++i) cands.push_back({p, s[p] * (1000 + rng.bell(60))});
    }
    if (static_cast<int>(cands.size()) < seats)  // nobody stood: the strongest party takes it
        for (int i = static_cast<int>(cands.size()); i < seats; ++i) cands.push_back({LAB, 0});
    std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.strength > b.strength; });
    std::vector<int> out;
    for (int i = 0; i < seats; ++i) out.push_back(cands[static_cast<std::size_t>(i)].party);
    return out;
}

// One candidate of tonight's contest while it is drawn.
struct SimCandidate {
    int party;
    std::int64_t votes;
    std::string name;
};

// Who stands: the big parties nearly everywhere, the small ones sometimes.
std::array<bool, kParties> who_stands(Rng& rng, const Shares& s) {
    std::array<bool, kParties> stands{};
    constexpr std::array<int, kParties> kStand = {970, 960, 820, 700, 600, 0, 60, 40, 850};
    for (int p = 0; p < kParties; ++p) {
        if (s[p] <= 0) continue;
        if (p == IND) stands[p] = s[p] >= 150 || rng.permille(std::min(850, s[p] * 4));
        else stands[p] = s[p] >= 150 || rng.permille(kStand[static_cast<std::size_t>(p)]);
    }
    if (std::count(stands.begin(), stands.end(), true) < 2) stands[LAB] = stands[CON] = true;
    return stands;
}

// The candidates and their votes: each party's share of the valid votes, a
// slate in multi-member wards, independents sometimes in pairs, and enough
// candidates for a contest (or exactly the seats when unopposed).
std::vector<SimCandidate> draw_candidates(Rng& rng, const Shares& s, const std::array<bool, kParties>& stands,
                                          std::int64_t valid, int seats, bool uncontested) {
    std::int64_t total_share = 0;
    for (int p = 0; p < kParties; ++p)
        if (stands[p]) total_share += std::max(s[p], 5);
    std::vector<SimCandidate> cands;
    std::set<std::string> names;
    auto add = [&](int p, std::int64_t votes) {
        std::string n = person_name(rng);
        while (!names.insert(n).second) n = person_name(rng);
        cands.push_back({p, std::max<std::int64_t>(0, votes), std::move(n)});
    };
    for (int p = 0; p < kParties; ++p) {
        if (!stands[p]) continue;
        const std::int64_t party_votes = valid * std::max(s[p], 5) / total_share;
        if (p == IND) {
            add(p, party_votes * rng.irange(900, 1100) / 1000);
            if (seats > 1 && rng.chance(1, 3)) add(p, party_votes * rng.irange(150, 600) / 1000);
            continue;
        }
        int slate = 1;
        if (p != TUSC && p != SDP && seats > 1)
            slate = party_votes * 1000 / std::max<std::int64_t>(valid, 1) >= 120 ? seats : rng.irange(1, seats);
        for (int i = 0; i < slate; ++i) add(p, party_votes * (1000 + rng.bell(60)) / 1000);
    }
    while (static_cast<int>(cands.size()) < seats + (uncontested ? 0 : 1)) add(IND, valid * rng.irange(20, 120) / 1000);
    return cands;
}

// Elected: the most votes; marks[i] is 1 for the elected. A tie at the
// boundary is nudged apart (the one deliberate tie, decided by lot, is made later).
std::vector<char> elect(std::vector<SimCandidate>& cands, int seats) {
    std::vector<std::size_t> order(cands.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return cands[a].votes != cands[b].votes ? cands[a].votes > cands[b].votes : cands[a].name < cands[b].name;
    });
    if (static_cast<std::size_t>(seats) < order.size()) {
        const std::int64_t first_out = cands[order[static_cast<std::size_t>(seats)]].votes;
        for (int i = 0; i < seats; ++i)
            if (cands[order[static_cast<std::size_t>(i)]].votes == first_out) ++cands[order[static_cast<std::size_t>(i)]].votes;
    }
    std::vector<char> elected(cands.size(), 0);
    for (int i = 0; i < seats; ++i) elected[order[static_cast<std::size_t>(i)]] = 1;
    return elected;
}

// Tonight's contest in full: candidates, votes, turnout.
Declaration contest(Rng& rng, const SimCouncil& sc, const Shares& s, int seats, int members, bool uncontested) {
    const auto stands = who_stands(rng, s);
    std::int64_t electorate = static_cast<std::int64_t>(sc.electors) * members * (1000 + rng.bell(180)) / 1000;
    const int turnout = std::clamp(sc.turnout + rng.bell(70), 150, 700);
    const std::int64_t ballots = electorate * turnout / 1000;
    const std::int64_t rejected = ballots * rng.irange(2, 9) / 1000;
    const std::int64_t valid = ballots - rejected;
    auto cands = draw_candidates(rng, s, stands, valid, seats, uncontested);
    const std::vector<char> elected = elect(cands, seats);

    Declaration d;
    d.revision = 1;
    d.source = "generate";
    d.electorate = electorate;
    if (!uncontested) {
        d.ballots = ballots;
        d.rejected = rejected;
    }
    for (std::size_t i = 0; i < cands.size(); ++i) {
        if (uncontested && !elected[i]) continue;
        Candidate c;
        c.name = cands[i].name;
        c.party = code_of(sc, cands[i].party);
        if (!uncontested) c.votes = cands[i].votes;
        c.elected = elected[i] != 0;
        d.candidates.push_back(std::move(c));
    }
    // Ballot-paper order: alphabetical.
    std::sort(d.candidates.begin(), d.candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.name < b.name; });
    return d;
}

CouncilType draw_type(Rng& rng) {
    constexpr std::array<int, 5> w = {12, 18, 20, 44, 6};
    return static_cast<CouncilType>(rng.weighted(w));
}

Cycle draw_cycle(Rng& rng, CouncilType t) {
    switch (t) {
        case CouncilType::london:
        case CouncilType::county: return Cycle::all_out;
        case CouncilType::metropolitan: return rng.permille(940) ? Cycle::thirds : Cycle::all_out;
        case CouncilType::unitary: {
            constexpr std::array<int, 3> w = {55, 40, 5};
            return std::array{Cycle::all_out, Cycle::thirds, Cycle::halves}[rng.weighted(w)];
        }
        case CouncilType::district: {
            constexpr std::array<int, 3> w = {55, 35, 10};
            return std::array{Cycle::all_out, Cycle::thirds, Cycle::halves}[rng.weighted(w)];
        }
    }
    return Cycle::all_out;
}

int draw_size(Rng& rng, CouncilType t) {
    switch (t) {
        case CouncilType::london: return rng.irange(45, 70);
        case CouncilType::metropolitan: return 3 * rng.irange(16, 33);
        case CouncilType::unitary: return rng.triangular(30, 120);
        case CouncilType::district: return rng.triangular(20, 60);
        case CouncilType::county: return rng.triangular(50, 110);
    }
    return 40;
}

// Members of an all-out ward.
int draw_members(Rng& rng, CouncilType t) {
    switch (t) {
        case CouncilType::london: { constexpr std::array<int, 3> w = {5, 25, 70}; return 1 + static_cast<int>(rng.weighted(w)); }
        case CouncilType::metropolitan: return 3;
        case CouncilType::unitary: { constexpr std::array<int, 3> w = {30, 40, 30}; return 1 + static_cast<int>(rng.weighted(w)); }
        case CouncilType::district: { constexpr std::array<int, 3> w = {35, 40, 25}; return 1 + static_cast<int>(rng.weighted(w)); }
        case CouncilType::county: { constexpr std::array<int, 2> w = {85, 15}; return 1 + static_cast<int>(rng.weighted(w)); }
    }
    return 1;
}

std::string_view ons_prefix(CouncilType t) {
    switch (t) {
        case CouncilType::london: return "E09";
        case CouncilType::metropolitan: return "E08";
        case CouncilType::unitary: return "E06";
        case CouncilType::district: return "E07";
        case CouncilType::county: return "E10";
    }
    return "E07";
}

// ---------------------------------------------------------------------------

class Generator {
public:
    explicit Generator(const Options& o) : opt_(o), master_(Rng::stream(o.seed, 0xC0FFEEULL)) {
        if (o.councils < 1) throw std::invalid_argument("--councils: expected at least 1");
        if (o.ward_scale_permille < 1) throw std::invalid_argument("--wards-per-council-scale: expected more than 0");
        day_ = parse_date(o.date);
        for (const auto& p : kNational)
            if (!p.can_control) cannot_control_.insert(std::string(p.code));
    }

    Night run() {
        draw_swing();
        for (int i = 0; i < opt_.councils; ++i) build_council(i);
        choose_postponed();
        ensure_start_call();
        make_uncontested_if_none();
        make_tie();
        make_recount();
        // The cases of issue 13, from their own random stream so that the rest
        // of the night is what it was.
        Rng extra = Rng::stream(opt_.seed, 0x13ULL);
        make_tie_for_two_seats(extra);
        make_under_contested();
        make_by_election();
        ensure_new_council();
        for (auto& sc : councils_) finalise_composition(sc);
        draw_times();
        add_single_winner_contests(extra);
        return assemble();
    }

private:
    // National swing since last time: one big party loses, the rest share its loss.
    void draw_swing() {
        const int loser = master_.chance(2, 3) ? CON : LAB, other = loser == CON ? LAB : CON;
        const int loss = master_.irange(20, 60);
        std::array<int, 4> w = {master_.irange(2, 6), master_.irange(1, 3), master_.irange(1, 3), master_.irange(2, 5)};
        const std::array<int, 4> to = {other, LD, GREEN, REF};
        const int sum = w[0] + w[1] + w[2] + w[3];
        int given = 0;
        for (std::size_t i = 1; i < 4; ++i) {
            swing_[static_cast<std::size_t>(to[i])] = loss * w[i] / sum;
            given += loss * w[i] / sum;
        }
        swing_[static_cast<std::size_t>(other)] = loss - given;
        swing_[static_cast<std::size_t>(loser)] = -loss;
    }

    std::string unique_local_code(const std::string& slug, char kind) {
        std::string base;
        for (char ch : slug)
            if (ch != '-' && base.size() < 3) base += static_cast<char>(ch - 'a' + 'A');
        base += kind;
        std::string code = base;
        for (int n = 2; local_codes_.count(code) || code == "LAB" || code == "CON" || code == "IND" || code == "SDP"; ++n)
            code = base + std::to_string(n);
        local_codes_.insert(code);
        return code;
    }

    void build_council(int index) {
        Rng rng = Rng::stream(opt_.seed, static_cast<std::uint64_t>(index));
        SimCouncil sc;
        const std::string slug = name_council(rng, sc);
        std::vector<SimWard> wards = draw_wards(rng, sc);
        draw_strengths(rng, sc, slug);
        const int uncontested_permille = sc.type == CouncilType::district || sc.type == CouncilType::county ? 12 : 3;
        // Every ward: its lean, tonight's contest, its baseline, who continues.
        for (auto& w : wards) {
            draw_lean(rng, sc, w);
            draw_continuing(rng, sc, w);
            if (w.up > 0) fight_ward(rng, sc, w, slug, uncontested_permille);
        }
        councils_.push_back(std::move(sc));
    }

    // Kind, cycle, name, ids and region of a council; returns its slug.
    std::string name_council(Rng& rng, SimCouncil& sc) {
        sc.type = draw_type(rng);
        sc.region = sc.type == CouncilType::london        ? kLondon
                    : sc.type == CouncilType::metropolitan ? static_cast<int>(rng.weighted(kMetRegions))
                                                            : static_cast<int>(rng.weighted(kShireRegions));
        sc.c.cycle = draw_cycle(rng, sc.type);
        sc.fresh = sc.type == CouncilType::unitary && sc.c.cycle == Cycle::all_out && rng.permille(50);
        sc.boundaries = sc.c.cycle == Cycle::all_out &&
                        (sc.type == CouncilType::metropolitan || sc.fresh || rng.permille(150));

        std::string name = council_name(rng, sc.type), slug = slugify(name);
        for (int tries = 0; council_slugs_.count(slug); ++tries) {
            name = tries < 20 ? council_name(rng, sc.type) : council_name_pair(rng);
            slug = slugify(name);
        }
        council_slugs_.insert(slug);
        sc.c.name = name;
        sc.c.id = "local." + slug + "." + opt_.date;
        char ons[16];
        std::snprintf(ons, sizeof ons, "%s9%05d", std::string(ons_prefix(sc.type)).c_str(),
                      ++ons_counter_[static_cast<std::size_t>(sc.type)] % 100000);
        sc.c.ons = ons;
        sc.c.region = std::string(kRegions[static_cast<std::size_t>(sc.region)].name);
        return slug;
    }

    // The council's size, and its wards: members, seats up tonight, names.
    std::vector<SimWard> draw_wards(Rng& rng, SimCouncil& sc) {
        const int size = std::max(1, static_cast<int>(static_cast<std::int64_t>(draw_size(rng, sc.type)) *
                                                      opt_.ward_scale_permille / 1000));
        sc.c.size = size;
        std::vector<SimWard> wards;
        for (int left = size; left > 0;) {
            SimWard w;
            switch (sc.c.cycle) {
                case Cycle::all_out: w.members = std::min(left, draw_members(rng, sc.type)); w.up = w.members; break;
                case Cycle::halves: w.members = std::min(left, 2); w.up = 1; break;
                default:  // thirds: one seat a year, sometimes two (a casual vacancy)
                    w.members = std::min(left, rng.permille(800) ? 3 : 2);
                    if (w.members == 3) w.up = rng.permille(30) ? 2 : 1;
                    else w.up = rng.chance(w.members == 2 ? 2 : 1, 3) ? 1 : 0;
                    break;
            }
            left -= w.members;
            wards.push_back(std::move(w));
        }
        if (std::none_of(wards.begin(), wards.end(), [](const SimWard& w) { return w.up > 0; })) wards[0].up = 1;
        std::set<std::string> ward_slugs;
        for (auto& w : wards) {
            w.name = ward_name(rng);
            while (!ward_slugs.insert(slugify(w.name)).second) w.name = ward_name(rng);
        }
        return wards;
    }

    // Strengths: the region's, the kind of council's, the council's own; its
    // local party, turnout and electors.
    void draw_strengths(Rng& rng, SimCouncil& sc, const std::string& slug) {
        Shares s = kRegions[static_cast<std::size_t>(sc.region)].base;
        const int ind_adj = sc.type == CouncilType::district ? 60
                            : sc.type == CouncilType::county ? 30
                            : sc.type == CouncilType::unitary ? 10 : -30;
        s[IND] += ind_adj;
        constexpr Shares kCouncilNoise = {200, 200, 220, 70, 60, 120, 4, 3, 0};
        for (int p = 0; p < kParties; ++p) s[p] += rng.bell(kCouncilNoise[static_cast<std::size_t>(p)]);
        if (rng.permille(120)) {  // a stronghold of the locally leading big party
            const int lead = s[LAB] >= s[CON] && s[LAB] >= s[LD] ? LAB : s[CON] >= s[LD] ? CON : LD;
            s[lead] += rng.irange(80, 200);
        }
        if (rng.permille(70)) {  // a local party
            const int kind = rng.irange(0, 2);
            static constexpr std::array<std::string_view, 3> kKinds = {" Independents", " First", " Residents' Association"};
            sc.local_code = unique_local_code(slug, "IFR"[kind]);
            local_parties_.push_back({sc.local_code, sc.c.name + std::string(kKinds[static_cast<std::size_t>(kind)])});
            s[LOCAL] = rng.irange(100, 380);
        }
        sc.last = clamp_shares(s);
        for (int p = 0; p < kParties; ++p)
            sc.now[p] = sc.last[p] > 0 ? std::max(5, sc.last[p] + swing_[static_cast<std::size_t>(p)] + rng.bell(30)) : 0;
        sc.turnout = sc.type == CouncilType::metropolitan ? rng.irange(240, 330)
                     : sc.type == CouncilType::london     ? rng.irange(290, 400)
                                                          : rng.irange(280, 420);
        sc.electors = sc.type == CouncilType::county       ? rng.irange(7000, 10000)
                      : sc.type == CouncilType::metropolitan ? rng.irange(3200, 4200)
                      : sc.type == CouncilType::london       ? rng.irange(2600, 3600)
                      : sc.type == CouncilType::unitary      ? rng.irange(2400, 4000)
                                                             : rng.irange(1500, 2600);
    }

    // A ward's lean is wide and heavy-tailed: the smaller parties and
    // independents are strong in a few wards ("hotspots") and weak elsewhere.
    static void draw_lean(Rng& rng, const SimCouncil& sc, SimWard& w) {
        constexpr Shares kLean = {330, 330, 120, 60, 60, 60, 3, 3, 150};
        struct Hotspot {
            int party, permille_per_share, cap, lo, hi;
        };
        constexpr std::array<Hotspot, 5> kHot = {{{LD, 2, 600, 150, 420},
                                                  {GREEN, 1, 60, 120, 320},
                                                  {REF, 1, 80, 80, 260},
                                                  {IND, 2, 450, 150, 480},
                                                  {LOCAL, 2, 500, 100, 300}}};
        for (int p = 0; p < kParties; ++p) w.lean[p] = rng.bell(kLean[static_cast<std::size_t>(p)]);
        for (const auto& h : kHot)
            if (sc.last[h.party] > 0 && rng.permille(std::min(h.cap, sc.last[h.party] * h.permille_per_share)))
                w.lean[h.party] += rng.irange(h.lo, h.hi);
    }

    // Continuing councillors: the other seats, fought two and three years ago.
    static void draw_continuing(Rng& rng, SimCouncil& sc, const SimWard& w) {
        for (int seat = 0, k = 3; seat < w.members - w.up; ++seat, k = k == 3 ? 2 : 1) {
            const int party = quick_winners(rng, shares_at(sc, w.lean, k), 1)[0];
            if (rng.permille(10)) ++sc.c.continuing_vacancies;  // died or resigned
            else ++sc.c.continuing[rng.permille(20) ? "IND" : code_of(sc, party)];  // some defect
        }
    }

    // A ward polling tonight: on the card with its baseline, and its declaration.
    void fight_ward(Rng& rng, SimCouncil& sc, const SimWard& w, const std::string& slug, int uncontested_permille) {
        Ward cw;
        cw.name = w.name;
        cw.id = "local." + slug + "." + slugify(w.name) + "." + opt_.date;
        char wons[16];
        std::snprintf(wons, sizeof wons, "E05%06d", 100000 + ++ward_counter_ % 900000);
        cw.ons = wons;
        cw.seats = w.up;
        cw.notional = sc.boundaries && !sc.fresh;
        if (!sc.fresh) draw_last_won(rng, sc, w, cw);
        const bool unc = rng.permille(uncontested_permille);
        Shares tonight = shares_at(sc, w.lean, 4);
        for (int p = 0; p < kParties; ++p)
            if (tonight[p] > 0) tonight[p] = std::max(0, tonight[p] + rng.bell(25));
        Declaration d = contest(rng, sc, tonight, w.up, w.members, unc);
        d.id = cw.id;
        d.council = sc.c.id;
        d.ward = cw.id;
        sc.decl.push_back(std::move(d));
        sc.uncontested.push_back(unc ? 1 : 0);
        sc.c.wards.push_back(std::move(cw));
    }

    // Last time these seats were fought: four years ago (all of them in an
    // all-out council; a thirds casual vacancy's seat two years ago).
    static void draw_last_won(Rng& rng, SimCouncil& sc, const SimWard& w, Ward& cw) {
        std::vector<int> last;
        if (sc.c.cycle == Cycle::all_out) last = quick_winners(rng, shares_at(sc, w.lean, 0), w.up);
        else
            for (int seat = 0; seat < w.up; ++seat)
                last.push_back(quick_winners(rng, shares_at(sc, w.lean, seat == 0 ? 0 : 2), 1)[0]);
        for (int p : last) {
            cw.last_won.push_back(code_of(sc, p));
            // The eve of poll: most still hold their seat, a few defected or left.
            if (rng.permille(15)) ++sc.up_vacant;
            else ++sc.holders[rng.permille(25) ? "IND" : code_of(sc, p)];
        }
    }

    // Councils and wards that are special: drawn from the master generator.
    struct WardRef {
        std::size_t council = 0, ward = 0;
    };

    bool usable(const WardRef& r) const {
        const auto& sc = councils_[r.council];
        return !sc.c.wards[r.ward].postponed && !sc.uncontested[r.ward] &&
               !(tie_ && tie_->council == r.council && tie_->ward == r.ward);
    }

    WardRef random_ward() {
        WardRef r;
        r.council = static_cast<std::size_t>(master_.below(councils_.size()));
        r.ward = static_cast<std::size_t>(master_.below(councils_[r.council].c.wards.size()));
        return r;
    }

    // A poll postponed (a candidate died): one, and one more per 150 councils.
    void choose_postponed() {
        const int n = 1 + static_cast<int>(councils_.size()) / 150;
        for (int i = 0, tries = 0; i < n && tries < 1000; ++tries) {
            WardRef r = random_ward();
            auto& sc = councils_[r.council];
            if (sc.c.wards.size() < 2 || !usable(r)) continue;
            const auto polling = std::count_if(sc.c.wards.begin(), sc.c.wards.end(), [](const Ward& w) { return !w.postponed; });
            if (polling < 2) continue;
            sc.c.wards[r.ward].postponed = true;
            ++i;
        }
    }

    static int postponed_seats(const SimCouncil& sc) {
        int n = 0;
        for (const auto& w : sc.c.wards)
            if (w.postponed) n += w.seats;
        return n;
    }

    // A thirds council whose control cannot change tonight: one party's
    // continuing councillors alone are a majority (called by Tally::start()).
    // Usually a stronghold gives one; if not, the most one-sided thirds
    // council is made a little more so.
    void ensure_start_call() {
        std::size_t best = councils_.size();
        int best_gap = 0;
        std::string best_party;
        for (std::size_t i = 0; i < councils_.size(); ++i) {
            auto& sc = councils_[i];
            if (sc.c.cycle != Cycle::thirds) continue;
            const int m = (sc.c.size - sc.c.continuing_vacancies - postponed_seats(sc)) / 2 + 1;
            for (const auto& [party, n] : sc.c.continuing) {
                if (cannot_control_.count(party)) continue;
                if (n >= m) return;
                if (best == councils_.size() || n - m > best_gap) best = i, best_gap = n - m, best_party = party;
            }
        }
        if (best == councils_.size()) return;  // no thirds council on this card
        auto& sc = councils_[best];
        const int m = (sc.c.size - sc.c.continuing_vacancies - postponed_seats(sc)) / 2 + 1;
        auto& cont = sc.c.continuing;
        while (cont[best_party] < m) {
            auto donor = cont.end();
            for (auto it = cont.begin(); it != cont.end(); ++it)
                if (it->first != best_party && it->second > 0 && (donor == cont.end() || it->second > donor->second)) donor = it;
            if (donor == cont.end()) {
                if (sc.c.continuing_vacancies == 0) break;
                --sc.c.continuing_vacancies;
            } else {
                --donor->second;
            }
            ++cont[best_party];
        }
        std::erase_if(cont, [](const auto& kv) { return kv.second == 0; });
    }

    void make_uncontested_if_none() {
        for (const auto& sc : councils_)
            for (std::size_t w = 0; w < sc.c.wards.size(); ++w)
                if (sc.uncontested[w] && !sc.c.wards[w].postponed) return;
        for (int tries = 0; tries < 1000; ++tries) {
            WardRef r = random_ward();
            if (!usable(r)) continue;
            auto& sc = councils_[r.council];
            auto& d = sc.decl[r.ward];
            std::erase_if(d.candidates, [](const Candidate& c) { return !c.elected; });
            for (auto& c : d.candidates) c.votes.reset();
            d.ballots.reset();
            d.rejected.reset();
            sc.uncontested[r.ward] = 1;
            return;
        }
    }

    // Lowest-placed elected and highest-placed unelected candidate (indices);
    // false when the ward has nobody unelected.
    static bool boundary(const Declaration& d, std::size_t& in, std::size_t& out) {
        bool have_in = false, have_out = false;
        for (std::size_t i = 0; i < d.candidates.size(); ++i) {
            const auto& c = d.candidates[i];
            if (c.elected && (!have_in || *c.votes < *d.candidates[in].votes)) in = i, have_in = true;
            if (!c.elected && (!have_out || *c.votes > *d.candidates[out].votes)) out = i, have_out = true;
        }
        return have_in && have_out;
    }

    // One tie at the boundary, decided by lot: of sixty contested wards drawn,
    // the closest race becomes a dead heat, and the lot picks either.
    void make_tie() {
        std::optional<WardRef> best;
        std::int64_t best_margin = 0;
        for (int tries = 0; tries < 60; ++tries) {
            WardRef r = random_ward();
            if (!usable(r)) continue;
            const auto& d = councils_[r.council].decl[r.ward];
            std::size_t in = 0, out = 0;
            if (!boundary(d, in, out)) continue;
            const auto vin = *d.candidates[in].votes, vout = *d.candidates[out].votes;
            if (vin <= 0) continue;
            bool clash = false;  // nobody else may sit on the tied count
            for (std::size_t i = 0; i < d.candidates.size(); ++i)
                if (i != in && i != out && *d.candidates[i].votes == vin) clash = true;
            if (clash) continue;
            const std::int64_t margin = (vin - vout) * 100000 / vin;
            if (!best || margin < best_margin) best = r, best_margin = margin;
        }
        if (!best) return;
        auto& d = councils_[best->council].decl[best->ward];
        std::size_t in = 0, out = 0;
        boundary(d, in, out);
        d.candidates[out].votes = d.candidates[in].votes;
        if (master_.chance(1, 2)) {  // the lot went the other way
            d.candidates[in].elected = false;
            d.candidates[out].elected = true;
            std::swap(in, out);
        }
        d.lots = Lots{{d.candidates[in].name, d.candidates[out].name}, {d.candidates[in].name}};
        std::sort(d.lots->between.begin(), d.lots->between.end());
        tie_ = best;
    }

    std::map<std::string, int> seats_after(const SimCouncil& sc) const {
        std::map<std::string, int> seats = sc.c.continuing;
        for (std::size_t w = 0; w < sc.c.wards.size(); ++w) {
            if (sc.c.wards[w].postponed) continue;
            for (const auto& c : sc.decl[w].candidates)
                if (c.elected) ++seats[c.party];
        }
        return seats;
    }

    // A recount: the first declaration (revision 1) had the wrong winner in a
    // close race; revision 2, after the council has finished, corrects it.
    // Chosen so the correction flips the council's control where any close
    // race can (the call is retracted); otherwise the closest race anywhere.
    void make_recount() {
        struct Pick {
            WardRef ref;
            std::size_t in = 0, out = 0;
            std::int64_t margin = 0;
            bool flips = false;
        };
        std::optional<Pick> best;
        for (std::size_t ci = 0; ci < councils_.size(); ++ci) {
            const auto& sc = councils_[ci];
            if (sc.c.size <= 0) continue;
            const auto seats = seats_after(sc);
            const int vacancies = sc.c.continuing_vacancies + postponed_seats(sc);
            const int m = control::majority(sc.c.size, vacancies);
            const std::string control = declared::control::majority_holder(seats, m, can_control());
            for (std::size_t w = 0; w < sc.c.wards.size(); ++w) {
                if (!usable({ci, w})) continue;
                const auto& d = sc.decl[w];
                // Lowest elected against the best unelected of another party.
                std::size_t in = 0, out = d.candidates.size();
                bool have_in = false;
                for (std::size_t i = 0; i < d.candidates.size(); ++i)
                    if (d.candidates[i].elected && (!have_in || *d.candidates[i].votes < *d.candidates[in].votes))
                        in = i, have_in = true;
                if (!have_in) continue;
                for (std::size_t i = 0; i < d.candidates.size(); ++i)
                    if (!d.candidates[i].elected && d.candidates[i].party != d.candidates[in].party &&
                        (out == d.candidates.size() || *d.candidates[i].votes > *d.candidates[out].votes))
                        out = i;
                if (out == d.candidates.size()) continue;
                const auto vin = *d.candidates[in].votes, vout = *d.candidates[out].votes;
                if (vin <= 0 || vin == vout) continue;
                auto wrong = seats;
                --wrong[d.candidates[in].party];
                ++wrong[d.candidates[out].party];
                const bool flips = declared::control::majority_holder(wrong, m, can_control()) != control;
                const std::int64_t margin = (vin - vout) * 100000 / vin;
                if (!best || (flips && !best->flips) || (flips == best->flips && margin < best->margin))
                    best = Pick{{ci, w}, in, out, margin, flips};
            }
        }
        if (!best) return;
        auto& sc = councils_[best->ref.council];
        const auto& truth = sc.decl[best->ref.ward];
        Declaration first = truth;  // the first count, before the recount
        auto& cin = first.candidates[best->in];
        auto& cout_ = first.candidates[best->out];
        const auto vin = *cin.votes, vout = *cout_.votes;
        cin.votes = std::max<std::int64_t>(0, vout - master_.irange(0, 6));
        cout_.votes = vin + master_.irange(1, 6);
        cin.elected = false;
        cout_.elected = true;
        Declaration second = truth;
        second.revision = 2;
        sc.decl[best->ref.ward] = std::move(first);
        recount_ = Recount{best->ref, std::move(second)};
    }

    // A ward for one of the special cases: polling, contested, and not already
    // the tie, the recount or another special case.
    bool free_ward(const WardRef& r) const {
        if (!usable(r)) return false;
        if (recount_ && recount_->ref.council == r.council && recount_->ref.ward == r.ward) return false;
        for (const auto& t : taken_)
            if (t.council == r.council && t.ward == r.ward) return false;
        return true;
    }

    // Lots deciding two seats: in a ward of three seats or more, the two
    // lowest elected and the best unelected candidate end level; lots elect two.
    void make_tie_for_two_seats(Rng& rng) {
        for (int tries = 0; tries < 2000; ++tries) {
            WardRef r{static_cast<std::size_t>(rng.below(councils_.size())), 0};
            r.ward = static_cast<std::size_t>(rng.below(councils_[r.council].c.wards.size()));
            const int seats = councils_[r.council].c.wards[r.ward].seats;
            if (seats < 3 || !free_ward(r)) continue;
            auto& d = councils_[r.council].decl[r.ward];
            if (static_cast<int>(d.candidates.size()) < seats + 2) continue;
            std::vector<std::size_t> order(d.candidates.size());
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t a, std::size_t b) { return *d.candidates[a].votes > *d.candidates[b].votes; });
            const auto s = static_cast<std::size_t>(seats);
            const std::int64_t v = *d.candidates[order[s - 1]].votes;
            if (v <= 0 || *d.candidates[order[s - 3]].votes <= v || *d.candidates[order[s + 1]].votes >= v) continue;
            Lots lots;
            for (std::size_t k : {s - 2, s - 1, s}) {
                d.candidates[order[k]].votes = v;
                lots.between.push_back(d.candidates[order[k]].name);
                if (d.candidates[order[k]].elected) lots.winners.push_back(d.candidates[order[k]].name);
            }
            std::sort(lots.between.begin(), lots.between.end());
            std::sort(lots.winners.begin(), lots.winners.end());
            d.lots = std::move(lots);
            taken_.push_back(r);
            return;
        }
    }

    // An under-contested ward: fewer candidates than seats, all elected
    // unopposed, one seat left vacant.
    void make_under_contested() {
        for (std::size_t ci = 0; ci < councils_.size(); ++ci) {
            auto& sc = councils_[ci];
            for (std::size_t w = 0; w < sc.c.wards.size(); ++w) {
                if (sc.c.wards[w].seats < 2 || !free_ward({ci, w})) continue;
                auto& d = sc.decl[w];
                std::erase_if(d.candidates, [](const Candidate& c) { return !c.elected; });
                d.candidates.pop_back();
                for (auto& c : d.candidates) c.votes.reset();
                d.ballots.reset();
                d.rejected.reset();
                d.lots.reset();
                sc.uncontested[w] = 1;
                taken_.push_back({ci, w});
                return;
            }
        }
    }

    // A by-election in a ward that also holds its ordinary election: a
    // continuing seat falls vacant and is filled tonight, in a thirds council
    // whose control is not settled before counting.
    void make_by_election() {
        for (std::size_t ci = 0; ci < councils_.size(); ++ci) {
            auto& sc = councils_[ci];
            if (sc.c.cycle != Cycle::thirds || sc.c.continuing.empty()) continue;
            const int m = (sc.c.size - sc.c.continuing_vacancies - postponed_seats(sc)) / 2 + 1;
            auto biggest = std::max_element(sc.c.continuing.begin(), sc.c.continuing.end(),
                                            [](const auto& a, const auto& b) { return a.second < b.second; });
            if (biggest->second >= m - 1) continue;  // leave councils settled (or nearly) before counting alone
            for (std::size_t w = 0; w < sc.c.wards.size(); ++w) {
                if (sc.c.wards[w].seats != 1 || !free_ward({ci, w})) continue;
                Ward by = sc.c.wards[w];
                const std::string tail = "." + opt_.date;
                by.id = by.id.substr(0, by.id.size() - tail.size()) + ".by" + tail;
                by.by_election = true;
                by.last_won = {biggest->first};
                by.notional = false;
                Declaration d = sc.decl[w];
                d.id = by.id;
                d.ward = by.id;
                // The defending party's seat moves from continuing to up tonight.
                sc.holders[biggest->first] += 1;
                if (--biggest->second == 0) sc.c.continuing.erase(biggest);
                taken_.push_back({ci, w});
                sc.c.wards.push_back(std::move(by));
                sc.decl.push_back(std::move(d));
                sc.uncontested.push_back(0);
                taken_.push_back({ci, sc.c.wards.size() - 1});
                return;
            }
        }
    }

    // A single-winner result: one candidate per party, most votes elected.
    Declaration single_winner(Rng& rng, const std::string& council, const std::string& contest, std::int64_t scale) {
        Declaration d;
        d.id = contest;
        d.council = council;
        d.ward = contest;
        d.revision = 1;
        d.source = "generate";
        std::set<std::int64_t> used;
        std::int64_t total = 0;
        for (const char* party : {"LAB", "CON", "LD", "GREEN"}) {
            std::int64_t v = scale * rng.irange(80, 400) / 1000;
            while (!used.insert(v).second) ++v;  // no tie for the post
            d.candidates.push_back(Candidate{person_name(rng), party, v, false});
            total += v;
        }
        std::max_element(d.candidates.begin(), d.candidates.end(), [](const Candidate& a, const Candidate& b) {
            return *a.votes < *b.votes;
        })->elected = true;
        d.rejected = total / 200;
        d.ballots = total + *d.rejected;
        d.electorate = *d.ballots * 1000 / rng.irange(250, 400);
        return d;
    }

    // A directly elected mayor with a London or metropolitan council, declared
    // after its last ward; and a police and crime commissioner for an area
    // that holds no council election here, declared on Friday afternoon.
    void add_single_winner_contests(Rng& rng) {
        for (auto& sc : councils_) {
            if (sc.type != CouncilType::london && sc.type != CouncilType::metropolitan) continue;
            const std::string slug = sc.c.id.substr(6, sc.c.id.size() - 6 - opt_.date.size() - 1);
            Mayoralty m{"mayor." + slug + "." + opt_.date, "Mayor of " + sc.c.name,
                        sc.c.control_before == kNoc ? std::string("LAB") : sc.c.control_before};
            if (m.previous.empty()) m.previous = "LAB";
            int last = 0;
            for (std::size_t w = 0; w < sc.c.wards.size(); ++w)
                if (!sc.c.wards[w].postponed) last = std::max(last, sc.times[w]);
            extra_.push_back({last + rng.irange(20, 60) * 60, single_winner(rng, sc.c.id, m.id, 120000)});
            sc.c.mayors.push_back(std::move(m));
            break;
        }
        SimCouncil area;
        area.c.id = "pcc.northshire." + opt_.date;
        area.c.name = "Northshire Police Area";
        area.c.ons = "E23900001";
        area.c.region = std::string(kRegions[0].name);
        area.c.cycle = Cycle::unknown;
        Mayoralty pcc{"pcc.northshire.pcc." + opt_.date, "Northshire Police and Crime Commissioner", "CON"};
        pcc.kind = "pcc";
        extra_.push_back({minutes_after_close(1020) + rng.irange(0, 59) * 60, single_winner(rng, area.c.id, pcc.id, 400000)});
        area.c.mayors.push_back(std::move(pcc));
        councils_.push_back(std::move(area));
    }

    // At least one new council (its first election) on every night: if the
    // draw made none, the first all-out council becomes one (no baselines).
    void ensure_new_council() {
        for (const auto& sc : councils_)
            if (sc.fresh) return;
        for (std::size_t ci = 0; ci < councils_.size(); ++ci) {
            auto& sc = councils_[ci];
            if (sc.c.cycle != Cycle::all_out) continue;
            if (std::any_of(taken_.begin(), taken_.end(), [&](const WardRef& r) { return r.council == ci; })) continue;
            sc.fresh = true;
            for (auto& w : sc.c.wards) w.last_won.clear(), w.notional = false;
            return;
        }
    }

    void finalise_composition(SimCouncil& sc) {
        auto& c = sc.c;
        if (sc.fresh) {  // a new council: nobody held it
            c.new_council = true;
            return;
        }
        c.composition = c.continuing;
        for (const auto& [party, n] : sc.holders) c.composition[party] += n;
        c.vacancies_before = c.continuing_vacancies + sc.up_vacant;
        c.control_before = control::majority_holder(c.composition, control::majority(c.size, c.vacancies_before), can_control());
    }

    // Declaration times: an early handful before midnight, then an overnight
    // cohort and a Friday daytime cohort. See docs/generate.md.
    void draw_times() {
        // The first to declare: a metropolitan borough counting by thirds, like Sunderland.
        std::vector<std::size_t> order(councils_.size());
        std::iota(order.begin(), order.end(), 0);
        master_.shuffle(std::span(order));
        std::size_t first = order[0];
        for (std::size_t i : order)
            if (councils_[i].type == CouncilType::metropolitan && councils_[i].c.cycle == Cycle::thirds) {
                first = i;
                break;
            }
        std::set<std::size_t> early;
        const std::size_t n_early = std::min<std::size_t>(councils_.size() - 1, 3 + councils_.size() / 50);
        for (std::size_t i : order) {
            if (early.size() >= n_early) break;
            if (i != first && councils_[i].type != CouncilType::county && councils_[i].c.cycle != Cycle::all_out) early.insert(i);
        }
        for (std::size_t i = 0; i < councils_.size(); ++i) time_council(i, i == first, early.count(i) > 0);
    }

    // One council's count: when it starts and how fast, then each ward in a
    // random order within its slice (and the recount after its last ward).
    void time_council(std::size_t i, bool first, bool early) {
        auto& sc = councils_[i];
        Rng rng = Rng::stream(opt_.seed ^ 0x7133ULL, i);
        int polling = 0;
        for (const auto& w : sc.c.wards) polling += w.postponed ? 0 : 1;
        int start, step;
        if (first) {
            start = minutes_after_close(rng.irange(85, 95)) + rng.irange(0, 59);
            step = rng.irange(40, 90);
        } else if (early) {
            start = minutes_after_close(rng.irange(100, 150)) + rng.irange(0, 59);
            step = std::min(rng.irange(60, 150), 90 * 60 / std::max(polling, 1));
        } else {
            int daytime_permille = 850;
            if (sc.type == CouncilType::metropolitan) daytime_permille = 100;
            else if (sc.type == CouncilType::london) daytime_permille = 350;
            else if (sc.c.cycle != Cycle::all_out) daytime_permille = sc.type == CouncilType::unitary ? 200 : 400;
            sc.daytime = rng.permille(daytime_permille);
            if (sc.daytime) {  // Friday: start 10:00-16:00, finish by 18:00
                start = minutes_after_close(rng.triangular(720, 1080)) + rng.irange(0, 59);
                step = std::min(rng.irange(120, 300), (minutes_after_close(1200) - start) / std::max(polling, 1));
            } else {  // overnight: start 00:30-04:30, most around 02:30, within 2.5 hours
                start = minutes_after_close(rng.triangular(150, 390)) + rng.irange(0, 59);
                step = std::min(rng.irange(120, 300), 150 * 60 / std::max(polling, 1));
            }
        }
        step = std::max(step, 1);
        std::vector<std::size_t> count_order(sc.c.wards.size());
        std::iota(count_order.begin(), count_order.end(), 0);
        rng.shuffle(std::span(count_order));
        sc.times.assign(sc.c.wards.size(), 0);
        int slot = 0;
        for (std::size_t w : count_order) {
            if (sc.c.wards[w].postponed) continue;
            sc.times[w] = start + slot * step + static_cast<int>(rng.below(static_cast<std::uint64_t>(step)));
            ++slot;
        }
        if (recount_ && recount_->ref.council == i) {
            int last = 0;
            for (std::size_t w = 0; w < sc.c.wards.size(); ++w)
                if (!sc.c.wards[w].postponed) last = std::max(last, sc.times[w]);
            recount_time_ = last + rng.irange(30, 120) * 60 + rng.irange(0, 59);
        }
    }

    Night assemble() {
        Night night;
        Card& card = night.card;
        card.election.id = "local." + opt_.date;
        card.election.name = "Local elections " + opt_.date.substr(0, 4) + " (generated, seed " + std::to_string(opt_.seed) + ")";
        card.election.date = opt_.date;
        card.election.test = opt_.test;
        add_parties(card);
        order_declarations(night);
        std::sort(councils_.begin(), councils_.end(),
                  [](const SimCouncil& a, const SimCouncil& b) { return a.c.id < b.c.id; });
        card.councils.reserve(councils_.size());
        for (auto& sc : councils_) {
            std::sort(sc.c.wards.begin(), sc.c.wards.end(), [](const Ward& a, const Ward& b) { return a.id < b.id; });
            card.councils.push_back(std::move(sc.c));
        }
        councils_.clear();
        lay_out_hexes(card.councils);  // so the page's map shows the night
        card.index();
        return night;
    }

    // The national parties, then each council's local party (by code).
    void add_parties(Card& card) {
        for (const auto& p : kNational) {
            Party party;
            party.code = std::string(p.code);
            party.name = std::string(p.name);
            party.colour = std::string(p.colour);
            for (auto a : p.aliases)
                if (!a.empty()) party.aliases.emplace_back(a);
            party.can_control = p.can_control;
            card.parties.push_back(std::move(party));
        }
        std::sort(local_parties_.begin(), local_parties_.end());
        for (const auto& [code, name] : local_parties_) {
            Party party;
            party.code = code;
            party.name = name;
            party.aliases.push_back(name);
            card.parties.push_back(std::move(party));
        }
    }

    // Every declaration in file order (time, id, revision), with its time and ballots.
    void order_declarations(Night& night) {
        struct Timed {
            int time;
            const std::string* id;
            std::int64_t revision;
            Declaration* d;
        };
        std::vector<Timed> timed;
        for (std::size_t i = 0; i < councils_.size(); ++i) {
            auto& sc = councils_[i];
            for (std::size_t w = 0; w < sc.c.wards.size(); ++w)
                if (!sc.c.wards[w].postponed) timed.push_back({sc.times[w], &sc.decl[w].id, 1, &sc.decl[w]});
        }
        if (recount_) timed.push_back({recount_time_, &recount_->second.id, 2, &recount_->second});
        for (auto& [time, d] : extra_) timed.push_back({time, &d.id, 1, &d});
        std::sort(timed.begin(), timed.end(), [](const Timed& a, const Timed& b) {
            if (a.time != b.time) return a.time < b.time;
            if (*a.id != *b.id) return *a.id < *b.id;
            return a.revision < b.revision;
        });
        night.declarations.reserve(timed.size());
        for (auto& t : timed) {
            t.d->declared_at = iso_time(day_, t.time);
            fit_ballots(*t.d);
            night.declarations.push_back(std::move(*t.d));
        }
    }

    // Slates, noise and the made tie can leave more votes than the ballots
    // allow (each voter has one vote per seat): count enough ballots for them,
    // as a real count would have, so that no declaration is impossible.
    static void fit_ballots(Declaration& d) {
        if (!d.ballots || d.uncontested()) return;
        std::int64_t total = 0, seats = 0;
        for (const auto& c : d.candidates) total += c.votes.value_or(0), seats += c.elected;
        const std::int64_t rejected = d.rejected.value_or(0);
        const std::int64_t need = (total + seats - 1) / std::max<std::int64_t>(seats, 1) + rejected;
        if (*d.ballots < need) d.ballots = need;
        if (d.electorate && *d.electorate < *d.ballots) d.electorate = d.ballots;
    }

    struct Recount {
        WardRef ref;
        Declaration second;
    };

    Options opt_;
    Rng master_;
    long day_ = 0;
    Shares swing_{};
    std::set<std::string> cannot_control_;
    // The majority rule's test of who may control (model/control).
    std::function<bool(const std::string&)> can_control() const {
        return [this](const std::string& p) { return !cannot_control_.count(p); };
    }
    std::set<std::string> council_slugs_, local_codes_;
    std::vector<std::pair<std::string, std::string>> local_parties_;  // code, name
    std::array<int, 5> ons_counter_{};
    int ward_counter_ = 0;
    std::vector<SimCouncil> councils_;
    std::optional<WardRef> tie_;
    std::vector<WardRef> taken_;  // wards given one of the special cases
    std::vector<std::pair<int, Declaration>> extra_;  // mayoral and PCC results, with their times
    std::optional<Recount> recount_;
    int recount_time_ = 0;
};

}  // namespace

Night generate_night(const Options& options) { return Generator(options).run(); }

}  // namespace declared::generate
