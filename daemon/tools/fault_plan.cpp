#include "daemon/tools/fault_plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "daemon/tools/generate/rng.hpp"
#include "model/declaration_json.hpp"
#include "model/desk_action_json.hpp"
#include "model/validate.hpp"

namespace declared {

namespace {

using generate::Rng;
using std::chrono::milliseconds;

// How many of a kind: its rate's share of the night, and at least one when
// the kind is on at all (a rehearsal that names a fault must see it).
std::size_t count_for(const FaultRates& rates, std::string_view kind, std::size_t n) {
    auto it = rates.find(kind);
    if (it == rates.end() || n == 0) return 0;
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(it->second * static_cast<double>(n))));
}

// One vote less for the weakest candidate with votes who lost (or, when none
// lost, for the strongest winner): different figures that still validate,
// since fewer votes can breach no limit and only widen the winning margin.
std::optional<std::string> tweak(const Card& card, Declaration& d) {
    Candidate* pick = nullptr;
    for (auto& c : d.candidates)
        if (!c.elected && c.votes && *c.votes > 0 && (!pick || *c.votes < *pick->votes)) pick = &c;
    if (!pick)
        for (auto& c : d.candidates)
            if (c.votes && *c.votes > 1 && (!pick || *c.votes > *pick->votes)) pick = &c;
    if (!pick) return std::nullopt;
    --*pick->votes;
    Declaration check = d;
    if (validate(card, check)) return std::nullopt;
    return pick->name;
}

std::string ward_key(const Declaration& d) { return d.council + "/" + d.ward; }

enum class Role { plain, duplicate, out_of_order, stale, conflict, late_correction, withdrawal };

struct Builder {
    const Card& card;
    std::span<const NightLine> night;
    Rng rng;
    FaultPlan plan;
    std::vector<Role> role;
    std::vector<int> fault_of, burst_of;
    std::vector<std::string> made;  // per subject line: its made-up revision (a withdrawal's wrong result)
    std::vector<std::string> withdraw, resent;  // per withdrawal: the desk's action, the right result
    std::vector<std::vector<std::pair<std::string, int>>> malformed_before;  // text, fault
    std::vector<std::vector<std::pair<std::size_t, int>>> late_before;      // subject line index, fault
    std::vector<milliseconds> pause_before;
    milliseconds pending_pause{0};

    Builder(const Card& c, std::span<const NightLine> n, std::uint64_t seed)
        : card(c), night(n), rng(seed), role(n.size(), Role::plain), fault_of(n.size(), -1), burst_of(n.size(), -1),
          made(n.size()), withdraw(n.size()), resent(n.size()), malformed_before(n.size() + 1), late_before(n.size() + 1), pause_before(n.size() + 1) {
        plan.seed = seed;
    }

    int add_fault(std::string kind, std::size_t line_index, std::string what) {
        InjectedFault f{std::move(kind), 0, {}, std::move(what)};
        if (line_index < night.size()) {
            f.line_no = night[line_index].line_no;
            if (const auto& d = night[line_index].declaration) f.ward = ward_key(*d);
        }
        plan.faults.push_back(std::move(f));
        return static_cast<int>(plan.faults.size() - 1);
    }

    // Lines whose ward comes once in the night and whose figures can be
    // changed: subjects of made-up revisions.
    std::vector<std::size_t> subjects() {
        std::map<std::string, int> seen;
        for (const auto& l : night)
            if (l.declaration) ++seen[ward_key(*l.declaration)];
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < night.size(); ++i) {
            if (!night[i].declaration) continue;
            Declaration d = *night[i].declaration;
            if (seen[ward_key(d)] != 1 || d.lots || d.uncontested() || validate(card, d)) continue;
            if (tweak(card, d)) out.push_back(i);
        }
        rng.shuffle(std::span(out));
        return out;
    }

    bool is_ward(std::size_t i) const {
        const Declaration& d = *night[i].declaration;
        const Council* c = card.council(d.council);
        return c && card.ward(*c, d.ward);
    }

    // The desk's withdrawal of the wrong result, and the right result as the
    // next revision (only a higher one is taken after a withdrawal).
    void plan_withdrawal(std::size_t i) {
        Declaration d = *night[i].declaration;
        DeskAction a;
        a.kind = DeskKind::withdraw;
        a.council = d.council;
        a.ward = d.ward;
        a.revision = d.revision;
        a.reason = "rehearsal: a wrong result posted for this ward";
        withdraw[i] = desk_action_to_json(a);
        ++d.revision;
        resent[i] = declaration_to_json(d);
    }

    void choose_subjects(const FaultRates& rates);
    std::string describe(Role r, std::size_t i, const std::string& changed);
    void choose_malformed(const FaultRates& rates);
    void choose_pauses(const FaultRates& rates);
    void choose_bursts(const FaultRates& rates);
    void emit(std::string text, std::size_t i, int fault, std::string expect, int burst = -1);
    void assemble();
};

std::string Builder::describe(Role r, std::size_t i, const std::string& changed) {
    const Declaration& d = *night[i].declaration;
    const std::string rev = std::to_string(d.revision), next = std::to_string(d.revision + 1);
    const std::string ward = ward_key(d), line = "line " + std::to_string(night[i].line_no);
    switch (r) {
        case Role::duplicate: return line + " (" + ward + " revision " + rev + ") sent twice";
        case Role::out_of_order:
            return "revision " + next + " of " + ward + " (one vote less for " + changed + ") sent before revision " + rev +
                   " (" + line + ")";
        case Role::stale:
            return "revision " + rev + " of " + ward + " (" + line + ") sent again after its correction to revision " + next;
        case Role::conflict: return "revision " + rev + " of " + ward + " (" + line + ") sent again with one vote less for " + changed;
        case Role::withdrawal:
            return "a wrong revision " + rev + " of " + ward + " (one vote less for " + changed +
                   ") withdrawn by the desk, then " + line + " sent as revision " + next;
        default: return "revision " + next + " of " + ward + " (" + line + "), one vote less for " + changed;
    }
}

void Builder::choose_subjects(const FaultRates& rates) {
    auto pool = subjects();
    const std::size_t n = night.size();
    const std::pair<Role, std::string_view> kinds[] = {{Role::duplicate, "duplicate"},
                                                       {Role::out_of_order, "out_of_order"},
                                                       {Role::stale, "stale"},
                                                       {Role::conflict, "conflict"},
                                                       {Role::late_correction, "late_correction"},
                                                       {Role::withdrawal, "withdrawal"}};
    for (const auto& [r, name] : kinds) {
        for (std::size_t k = count_for(rates, name, n); k > 0; --k) {
            // A late correction corrects an early ward: from the night's first third.
            // The desk can withdraw a ward's result, not a mayor's.
            auto it = r == Role::late_correction
                          ? std::find_if(pool.begin(), pool.end(), [&](std::size_t i) { return i < std::max<std::size_t>(1, n / 3); })
                      : r == Role::withdrawal ? std::find_if(pool.begin(), pool.end(), [&](std::size_t i) { return is_ward(i); })
                                              : pool.begin();
            if (it == pool.end()) break;
            const std::size_t i = *it;
            pool.erase(it);
            Declaration d = *night[i].declaration;
            if (r != Role::conflict && r != Role::withdrawal) ++d.revision;
            std::string changed = *tweak(card, d);
            made[i] = declaration_to_json(d);
            role[i] = r;
            if (r == Role::withdrawal) plan_withdrawal(i);
            fault_of[i] = add_fault(std::string(name), i, describe(r, i, changed));
            if (r == Role::late_correction) {
                const std::size_t pos = static_cast<std::size_t>(
                    rng.range(static_cast<std::int64_t>(std::max(i + 1, n - n / 10)), static_cast<std::int64_t>(n)));
                late_before[pos].emplace_back(i, fault_of[i]);
                plan.faults.back().what += pos < n ? ", sent before line " + std::to_string(night[pos].line_no)
                                                   : ", sent after the night's last line";
            }
        }
    }
}

void Builder::choose_malformed(const FaultRates& rates) {
    for (std::size_t k = count_for(rates, "malformed", night.size()); k > 0; --k) {
        const auto pos = static_cast<std::size_t>(rng.below(night.size()));
        const NightLine& from = night[pos];
        std::string text, what;
        switch (from.declaration ? rng.below(4) : 0) {
            case 0: text = "<html><body>502 Bad Gateway</body></html>", what = "an HTML error page"; break;
            case 1:
                text = std::string(from.text.substr(0, from.text.size() / 2));
                what = "line " + std::to_string(from.line_no) + " cut off half-way";
                break;
            case 2: {
                Declaration d = *from.declaration;
                d.council = "no-such-council";
                text = declaration_to_json(d), what = "line " + std::to_string(from.line_no) + " for a council not on the card";
                break;
            }
            default: {
                Declaration d = *from.declaration;
                d.candidates.front().votes = -5;
                text = declaration_to_json(d), what = "line " + std::to_string(from.line_no) + " with -5 votes";
                break;
            }
        }
        const int f = add_fault("malformed", SIZE_MAX, what + ", sent before line " + std::to_string(from.line_no));
        malformed_before[pos].emplace_back(std::move(text), f);
    }
}

void Builder::choose_pauses(const FaultRates& rates) {
    for (std::size_t k = count_for(rates, "pause", night.size()); k > 0; --k) {
        const auto pos = static_cast<std::size_t>(rng.below(night.size()));
        const milliseconds ms{rng.range(200, 1000)};
        pause_before[pos] += ms;
        add_fault("pause", pos, std::to_string(ms.count()) + " ms of silence before line " + std::to_string(night[pos].line_no));
    }
}

// A burst is a run of the night's own lines with nothing injected between
// them, so sending them concurrently reorders only what the night sent.
void Builder::choose_bursts(const FaultRates& rates) {
    int id = 0;
    for (std::size_t k = count_for(rates, "burst", night.size()), tries = 0; k > 0 && tries < 20 * k; ++tries) {
        const auto start = static_cast<std::size_t>(rng.below(night.size()));
        const auto want = static_cast<std::size_t>(rng.range(5, 20));
        std::size_t end = start;
        while (end < night.size() && end - start < want && role[end] == Role::plain && burst_of[end] < 0 &&
               (end == start || (malformed_before[end].empty() && late_before[end].empty() && pause_before[end].count() == 0)))
            ++end;
        if (end - start < 2) continue;
        for (std::size_t i = start; i < end; ++i) burst_of[i] = id;
        const int f = add_fault("burst", start, "lines " + std::to_string(night[start].line_no) + " to " +
                                                    std::to_string(night[end - 1].line_no) + " (" +
                                                    std::to_string(end - start) + " declarations) sent at once");
        for (std::size_t i = start; i < end; ++i) fault_of[i] = f;
        ++id, --k;
    }
}

void Builder::emit(std::string text, std::size_t i, int fault, std::string expect, int burst) {
    const std::size_t at = std::min(i, night.size() - 1);
    PlannedLine p{std::move(text), night[at].at, i < night.size() ? night[i].line_no : 0, fault, std::move(expect), burst,
                  std::exchange(pending_pause, milliseconds(0)), false};
    plan.lines.push_back(std::move(p));
}

void Builder::assemble() {
    for (std::size_t i = 0; i <= night.size(); ++i) {
        for (const auto& [subject, f] : late_before[i]) {
            emit(made[subject], i, f, "corrected");
            plan.lines.back().line_no = night[subject].line_no;
            plan.intended.push_back({made[subject]});
        }
        if (i == night.size()) break;
        for (const auto& [text, f] : malformed_before[i]) emit(text, i, f, "rejected");
        pending_pause += pause_before[i];
        const std::string own(night[i].text);
        const int f = fault_of[i];
        switch (role[i]) {
            case Role::plain: emit(own, i, f, "", burst_of[i]); break;
            case Role::duplicate: emit(own, i, f, ""), emit(own, i, f, "duplicate"); break;
            case Role::out_of_order: emit(made[i], i, f, "accepted"), emit(own, i, f, "stale"); break;
            case Role::stale: emit(own, i, f, ""), emit(made[i], i, f, "corrected"), emit(own, i, f, "stale"); break;
            case Role::conflict: emit(own, i, f, ""), emit(made[i], i, f, "conflict"); break;
            case Role::late_correction: emit(own, i, f, ""); break;
            case Role::withdrawal:
                emit(made[i], i, f, "accepted");
                emit(withdraw[i], i, f, "applied");
                plan.lines.back().desk = true;
                emit(resent[i], i, f, "accepted");
                plan.intended.push_back({made[i]});
                plan.intended.push_back({withdraw[i], true});
                plan.intended.push_back({resent[i]});
                continue;
        }
        plan.intended.push_back({own});
        if (role[i] == Role::out_of_order || role[i] == Role::stale) plan.intended.push_back({made[i]});
    }
}

}  // namespace

FaultPlan plan_without_faults(std::span<const NightLine> night) {
    FaultPlan plan;
    for (const auto& l : night) {
        plan.lines.push_back({std::string(l.text), l.at, l.line_no, -1, {}, -1, milliseconds(0), false});
        plan.intended.push_back({std::string(l.text)});
    }
    return plan;
}

FaultPlan plan_faults(const Card& card, std::span<const NightLine> night, const FaultRates& rates, std::uint64_t seed) {
    if (night.empty()) return plan_without_faults(night);
    Builder b(card, night, seed);
    b.choose_subjects(rates);
    b.choose_malformed(rates);
    b.choose_pauses(rates);
    b.choose_bursts(rates);
    b.assemble();
    return std::move(b.plan);
}

}  // namespace declared
