#include "model/tally.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>


#include "model/control.hpp"
#include "model/desk_state.hpp"
#include "model/details/council_state.hpp"
#include "model/details/event_writer.hpp"
#include "model/json_writer.hpp"
#include "model/details/scoreboard.hpp"
#include "model/seat_gains.hpp"
#include "model/validate.hpp"
#include "model/details/ward_result.hpp"
#include "model/wire_text.hpp"

namespace declared {

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::fresh: return "fresh";
        case Verdict::correction: return "correction";
        case Verdict::duplicate: return "duplicate";
        case Verdict::stale: return "stale";
        case Verdict::conflict: return "conflict";
        case Verdict::rejected: break;
    }
    return "rejected";
}

namespace {

int controlling_parties(const Card& card) {
    int n = 0;
    for (const auto& p : card.parties) n += p.can_control ? 1 : 0;
    return n;
}

// The result, not the message: a resend with the candidates in another order,
// from another source, under another id or declared_at says the same thing.
// Candidates compare as a set (names are unique in a valid declaration), and
// so do the names in lots.
bool same_result(const Declaration& a, const Declaration& b) {
    if (a.electorate != b.electorate || a.ballots != b.ballots || a.rejected != b.rejected) return false;
    if (a.candidates.size() != b.candidates.size() || a.lots.has_value() != b.lots.has_value()) return false;
    auto by_name = [](std::vector<Candidate> v) {
        std::sort(v.begin(), v.end(), [](const Candidate& x, const Candidate& y) { return x.name < y.name; });
        return v;
    };
    if (by_name(a.candidates) != by_name(b.candidates)) return false;
    if (!a.lots) return true;
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    return sorted(a.lots->between) == sorted(b.lots->between) && sorted(a.lots->winners) == sorted(b.lots->winners);
}

void append_number(std::string& out, int n) {
    char buf[16];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

void write_cause(JsonWriter& w, const Declaration* d) {
    w.key("cause");
    if (!d) {
        w.null();
        return;
    }
    w.begin_object();
    w.field("ward", d->ward);
    w.field("declaration", d->id);
    w.field("revision", d->revision);
    w.end_object();
}

}  // namespace

struct Tally::State {
    const Card& card;
    EventWriter writer;
    Scoreboard board;
    std::vector<CouncilState> councils;
    std::uint64_t seq = 0;
    bool started = false;
    std::string text_;  // an event's text, built in place (begin() copies it out)
    bool labels = false;  // some party has a label: alert text names parties apart from the data
    // The results desk (model/desk_state.hpp): per council, per ward, night-wide.
    std::vector<CouncilDesk> desk;
    std::vector<std::vector<WardDesk>> ward_desk;
    CallPolicy night_policy = CallPolicy::automatic;
    Embargo embargo;
    std::vector<std::size_t> embargo_queue;  // councils whose call the embargo holds, in order

    explicit State(const Card& c) : card(c), writer(c), board(c), desk(c.councils.size()) {
        for (const auto& council : c.councils) ward_desk.emplace_back(council.wards.size());
        labels = std::any_of(c.parties.begin(), c.parties.end(), [](const Party& p) { return !p.label.empty(); });
        const int controlling = controlling_parties(c);
        councils.reserve(c.councils.size());
        for (const auto& council : c.councils) {
            councils.emplace_back(c, council, controlling);
            // Nothing to declare (every poll postponed): declared from the start.
            if (council.holds_election() && councils.back().complete()) board.add_council_declared(+1);
        }
    }

    int party_position(std::string_view code) const {
        const Party* p = card.party(code);
        if (!p) throw std::invalid_argument("party not on the card: " + std::string(code));
        return static_cast<int>(p - card.parties.data());
    }
    int control_key(std::string_view control) const {
        if (control.empty()) return -1;
        if (control == kNoc) return board.noc();
        const Party* p = card.party(control);
        return p ? static_cast<int>(p - card.parties.data()) : -1;
    }

    // Starts an event; write its body into the writer, then finish().
    JsonWriter& begin(EventType type, const Council* c, std::string_view at, std::string_view received_at,
                      std::string_view text) {
        return writer.begin(++seq, type, c, at, received_at, text);
    }
    void finish(std::vector<Event>& out) { out.push_back(writer.finish()); }

    // Resolves party aliases to codes and works out what the result adds.
    // Each candidate's party is looked up once (a hash of its name).
    // seats: of the contest; votes by party follow the Commons Library (below).
    HeldResult hold(Declaration&& d, const std::vector<std::string>* baseline, const std::vector<std::size_t>& order,
                    int seats) const {
        HeldResult h;
        h.declaration = std::move(d);
        const Declaration& held = h.declaration;
        auto& w = h.contribution;
        std::vector<int> position;
        position.reserve(held.candidates.size());
        for (auto& cand : h.declaration.candidates) {
            const Party* p = card.party(cand.party);
            if (!p) throw std::invalid_argument("party not on the card: " + cand.party);
            if (cand.party != p->code) cand.party = p->code;
            position.push_back(static_cast<int>(p - card.parties.data()));
        }
        for (std::size_t i : order) {
            if (!h.declaration.candidates[i].elected) continue;
            h.winners.push_back(h.declaration.candidates[i].party);
            w.winners.push_back(position[i]);
        }
        if (baseline)
            for (const auto& code : *baseline) w.baseline.push_back(party_position(code));
        for (std::size_t i = 0; i < held.candidates.size(); ++i) {
            const auto& votes = held.candidates[i].votes;
            if (!votes) continue;
            const int p = position[i];
            auto it = std::find_if(w.votes.begin(), w.votes.end(), [&](const auto& pv) { return pv.first == p; });
            // The Commons Library's convention: in a multi-member ward a party
            // polls its top candidate's votes, so a full slate does not count
            // three times against a party standing one candidate; in a
            // single-member ward every vote counts (two independents each
            // polled for themselves).
            if (it == w.votes.end())
                w.votes.emplace_back(p, *votes);
            else if (seats == 1)
                it->second += *votes;
            else
                it->second = std::max(it->second, *votes);
        }
        // An unopposed ward had no poll: its electorate is not in the turnout.
        if (held.electorate && held.ballots && !held.uncontested()) {
            w.electorate = *held.electorate;
            w.ballots = *held.ballots;
        }
        return h;
    }

    void write_replaces(JsonWriter& w, const HeldResult& old) const {
        w.key("replaces").begin_object();
        w.key("id");
        writer.write_id(w, old.seq);
        w.field("seq", old.seq);
        w.field("revision", old.declaration.revision);
        w.field("declared_at", old.declaration.declared_at);
        w.end_object();
    }

    // Seats by party that a correction moved: {"CON": 1, "LAB": -1}.
    static void write_seat_changes(JsonWriter& w, const HeldResult& old, const HeldResult& now) {
        std::map<std::string_view, int> delta;
        for (const auto& p : old.winners) --delta[p];
        for (const auto& p : now.winners) ++delta[p];
        w.key("seat_changes").begin_object();
        for (const auto& [p, n] : delta)
            if (n != 0) w.field(p, n);
        w.end_object();
    }

    // What kind of call the words are: settled before any count, early (with
    // the seats still to declare), or final (the plain words).
    static std::string call_kind(bool before_counting, int undeclared) {
        if (before_counting) return " (before counting: control cannot change)";
        if (undeclared == 0) return {};
        return " (called, " + std::to_string(undeclared) + (undeclared == 1 ? " seat" : " seats") + " to declare)";
    }

    CallPolicy policy_of(std::size_t i) const { return desk[i].policy.value_or(night_policy); }
    std::size_t index_of(const CouncilState& cs) const { return card.council_index(cs.council()); }

    // Brings a council's published call in line with what should stand: the
    // desk's call while one stands, else the arithmetic's under the council's
    // policy (docs/desk.md, "Desk rules"). A call that no longer stands is
    // retracted first, under every policy and embargo (a wrong call must not
    // stay out); a new call is published, proposed, held, or queued behind
    // the embargo. actor is who caused this: the arithmetic, or a desk action.
    void settle(CouncilState& cs, const Declaration* cause, std::string_view received_at, std::vector<Event>& out,
                const CalledBy& actor = CalledBy::arithmetic()) {
        const std::size_t i = index_of(cs);
        CouncilDesk& d = desk[i];
        const std::string_view at = cause ? std::string_view(cause->declared_at) : received_at;
        const auto s = cs.settle();
        const std::string arith = cs.control_of(s);
        const std::string want = d.desk_call ? d.desk_call->control : arith;
        auto& call = cs.call();
        if (call && call->control != want) retract(cs, s, cause, at, received_at, actor, out);
        if (d.desk_call) conflict(cs, s, arith, cause, at, received_at, out);
        const CallPolicy policy = policy_of(i);
        if (d.proposal && (d.desk_call || call || d.proposal->control != arith || policy != CallPolicy::approve))
            d.proposal.reset();  // lapsed: docs/desk.md says when
        if (call || want.empty()) return;
        std::optional<CalledBy> by;
        if (d.desk_call) by = CalledBy{true, d.desk_call->name, d.desk_call->reason, 0};
        else if (policy == CallPolicy::automatic) by = CalledBy::arithmetic();
        else if (policy == CallPolicy::approve && !d.proposal) propose(cs, s, arith, cause, at, received_at, out);
        else if (policy == CallPolicy::approve && d.proposal->approved) by = d.proposal->approved;
        if (!by) return;
        if (embargo.active) {
            if (!d.embargoed) embargo_queue.push_back(i);
            d.embargoed = true;
            return;
        }
        publish(cs, s, want, *by, cause, at, received_at, out);
        d.proposal.reset();
    }

    void write_call_ref(JsonWriter& w, std::string_view key, std::uint64_t ref) const {
        w.key(key).begin_object();
        w.key("id");
        writer.write_id(w, ref);
        w.field("seq", ref);
        w.end_object();
    }

    void retract(CouncilState& cs, const control::Settlement& s, const Declaration* cause, std::string_view at,
                 std::string_view received_at, const CalledBy& actor, std::vector<Event>& out) {
        const Council& c = cs.council();
        auto& call = cs.call();
        board.add_council_control(control_key(cs.control_before()), control_key(call->control), -1);
        const std::string text = c.name + ": call retracted, " + call->text + " no longer stands";
        JsonWriter& w = begin(EventType::call_retracted, &c, at, received_at, text);
        w.field("council", c.id);
        w.field("name", c.name);
        write_call_ref(w, "retracts", call->seq);
        w.field("call", control::to_string(call->status));
        w.field("control", call->control);
        w.field("outcome", call->outcome);
        w.field("status", control::to_string(s.status));
        write_grounds(w, cs, s, cause, &actor);
        finish(out);
        call.reset();
    }

    // What a call-shaped event ends with: the arithmetic, the declaration that
    // caused it, and (but for a conflict) who decided.
    void write_grounds(JsonWriter& w, const CouncilState& cs, const control::Settlement& s, const Declaration* cause,
                       const CalledBy* by) const {
        w.key("arithmetic").begin_object();
        cs.write_arithmetic(w, s);
        w.end_object();
        write_cause(w, cause);
        if (!by) return;
        w.key("called_by");
        write_called_by(w, *by, writer);
    }

    // The body every call-shaped event shares: which call, its outcome, the arithmetic.
    void write_call_body(JsonWriter& w, const CouncilState& cs, control::Status status, const std::string& control, const std::string& outcome) const {
        const Council& c = cs.council();
        w.field("council", c.id);
        w.field("name", c.name);
        w.field("call", control::to_string(status));
        w.field("final", cs.undeclared() == 0);
        w.field("control", control);
        w.key("control_before").string_or_null(cs.control_before());
        w.field("outcome", outcome);
        w.field("outcome_kind", control::to_string(cs.outcome(control)));
    }

    void publish(CouncilState& cs, const control::Settlement& s, const std::string& control, const CalledBy& by,
                 const Declaration* cause, std::string_view at, std::string_view received_at,
                 std::vector<Event>& out) {
        const Council& c = cs.council();
        // A desk call is the desk's word, not a settlement: NOC or a party's control.
        const control::Status status =
            by.desk ? (control == kNoc ? control::Status::noc_certain : control::Status::secured) : s.status;
        const std::string outcome = cs.outcome_words(control);
        const std::string words = labels ? cs.outcome_text(control) : outcome;
        const bool before_counting = cs.wards_declared() == 0 && cs.by_elections_declared() == 0;
        const std::string kind = by.desk ? std::string(" (desk call)") : call_kind(before_counting, cs.undeclared());
        JsonWriter& w = begin(EventType::control_called, &c, at, received_at, c.name + ": " + words + kind);
        write_call_body(w, cs, status, control, outcome);
        w.field("wire", wire_call(card, cs, control));  // model/wire_text
        write_grounds(w, cs, s, cause, &by);
        finish(out);
        cs.call() = Call{status, control, outcome, words, seq, by};
        board.add_council_control(control_key(cs.control_before()), control_key(control), +1);
    }

    // Under policy approve: the arithmetic's call, for the desk to approve.
    void propose(CouncilState& cs, const control::Settlement& s, const std::string& control, const Declaration* cause,
                 std::string_view at, std::string_view received_at, std::vector<Event>& out) {
        const Council& c = cs.council();
        const std::string outcome = cs.outcome_words(control);
        const std::string words = labels ? cs.outcome_text(control) : outcome;
        JsonWriter& w = begin(EventType::call_proposed, &c, at, received_at,
                              c.name + ": " + words + " proposed, awaiting the desk");
        write_call_body(w, cs, s.status, control, outcome);
        const CalledBy arithmetic = CalledBy::arithmetic();
        write_grounds(w, cs, s, cause, &arithmetic);
        finish(out);
        desk[index_of(cs)].proposal = Proposal{s.status, control, outcome, seq, std::nullopt};
    }

    // The arithmetic contradicts a standing desk call: said once per
    // contradicting control, and no call changes.
    void conflict(CouncilState& cs, const control::Settlement& s, const std::string& arith, const Declaration* cause,
                  std::string_view at, std::string_view received_at, std::vector<Event>& out) {
        CouncilDesk& d = desk[index_of(cs)];
        if (arith.empty() || arith == d.desk_call->control) return d.conflict.clear();
        if (d.conflict == arith) return;
        d.conflict = arith;
        const Council& c = cs.council();
        const std::string outcome = cs.outcome_words(arith);
        const std::string desk_words = cs.outcome_words(d.desk_call->control);
        JsonWriter& w = begin(EventType::call_conflict, &c, at, received_at,
                              c.name + ": the arithmetic says " + outcome + "; the desk's call " + desk_words +
                                  " stands");
        write_call_body(w, cs, s.status, arith, outcome);
        w.key("desk_call").begin_object();
        w.field("control", d.desk_call->control);
        w.field("outcome", desk_words);
        w.key("called_by");
        write_called_by(w, CalledBy{true, d.desk_call->name, d.desk_call->reason, 0}, writer);
        w.end_object();
        write_grounds(w, cs, s, cause, nullptr);
        finish(out);
    }

    void council_updated(CouncilState& cs, std::string_view at, std::string_view received_at,
                         std::vector<Event>& out) {
        const Council& c = cs.council();
        std::string& text = text_;
        text.assign(c.name).append(": ");
        append_number(text, cs.wards_declared());
        text += " of ";
        append_number(text, cs.wards_total());
        text += " wards declared";
        if (cs.by_elections_total() > 0) {
            text += ", ";
            append_number(text, cs.by_elections_declared());
            text += " of ";
            append_number(text, cs.by_elections_total());
            text += " by-elections";
        }
        text += "; ";
        if (cs.call())
            text += cs.call()->text;
        else if (c.size > 0)
            text += "control undecided";
        else
            text += "control unknown";
        JsonWriter& w = begin(EventType::council_updated, &c, at, received_at, text);
        cs.write(w, writer);
        finish(out);
    }

    void scoreboard(std::string_view at, std::string_view received_at, std::vector<Event>& out) {
        JsonWriter& w = begin(EventType::scoreboard, nullptr, at, received_at, board.headline());
        board.write(w);
        finish(out);
    }

    void apply_ward(CouncilState& cs, const Ward& w, Declaration&& d, std::string_view received_at,
                    std::vector<Event>& out) {
        const Council& c = cs.council();
        auto& slot = cs.ward(card.ward_index(c, w));
        if (slot && d.revision <= slot->declaration.revision) return;  // not news (assess says why)
        WardDesk& mark = ward_desk[card.council_index(c)][card.ward_index(c, w)];
        if (!slot && d.revision <= mark.withdrawn) return;  // withdrawn by the desk (judge says why)
        if (w.postponed) throw std::invalid_argument("declaration for a postponed poll: " + w.id);
        mark.state.clear();  // a declaration ends a recount or an adjournment
        mark.expected_at.clear();

        const auto order = report_order(d);
        const std::vector<std::string>* baseline = w.last_won.empty() ? nullptr : &w.last_won;
        HeldResult next = hold(std::move(d), baseline, order, w.seats);
        const auto seats = seat_results(next.winners, w.last_won);

        const bool correction = slot.has_value();
        const bool was_complete = cs.complete();
        if (correction) {
            cs.add_ward(slot->contribution, w, -1, false);
            remove_from_board(w, *slot);
        } else if (w.by_election) {
            board.add_contest_declared(ContestKind::by_election, +1);
        } else {
            board.add_ward_declared(+1);
        }
        cs.add_ward(next.contribution, w, +1, !correction);
        if (w.by_election)
            board.add_contest(ContestKind::by_election, seats, +1);
        else
            board.add_ward(next.contribution, +1);
        const bool council_result = c.holds_election();
        if (council_result && !was_complete && cs.complete()) board.add_council_declared(+1);

        text_.assign(c.name).append(", ").append(w.name);
        if (w.by_election) text_ += " (by-election)";
        contest_event(c, ward_contest(w), received_at, order, seats, next, slot, out);

        const Declaration& held = slot->declaration;  // moved there by contest_event
        // A council that holds no ordinary election tonight is not a council
        // result: its by-election is reported, its control is not decided.
        if (council_result) {
            settle(cs, &held, received_at, out);
            council_updated(cs, held.declared_at, received_at, out);
        }
        scoreboard(held.declared_at, received_at, out);
    }

    void remove_from_board(const Ward& w, const HeldResult& old) {
        if (w.by_election)
            board.add_contest(ContestKind::by_election, seat_results(old.winners, w.last_won), -1);
        else
            board.add_ward(old.contribution, -1);
    }

    static Contest ward_contest(const Ward& w) {
        return Contest{"ward", w.id, w.name, w.seats, &w.last_won, w.notional, w.by_election};
    }

    // A mayoral (or PCC) contest: one winner, gain or hold against the
    // previous holder's party. Council seats are untouched; the scoreboard's
    // mayoralties (or pccs) count it.
    void apply_mayor(CouncilState& cs, const Mayoralty& m, Declaration&& d, std::string_view received_at,
                     std::vector<Event>& out) {
        const Council& c = cs.council();
        auto& slot = cs.mayor(static_cast<std::size_t>(&m - c.mayors.data()));
        if (slot && d.revision <= slot->declaration.revision) return;
        const auto order = report_order(d);
        std::vector<std::string> previous;
        if (!m.previous.empty()) previous.push_back(m.previous);
        HeldResult next = hold(std::move(d), nullptr, order, 1);
        const auto seats = seat_results(next.winners, previous);
        const ContestKind kind = m.kind == "pcc" ? ContestKind::pcc : ContestKind::mayor;
        if (slot)
            board.add_contest(kind, seat_results(slot->winners, previous), -1);
        else
            board.add_contest_declared(kind, +1);
        board.add_contest(kind, seats, +1);
        text_.assign(m.name);
        contest_event(c, Contest{m.kind, m.id, m.name, 1, &previous, false}, received_at, order, seats, next, slot,
                      out);
        const Declaration& held = slot->declaration;
        scoreboard(held.declared_at, received_at, out);
    }

    // The ward_declared (or declaration_corrected) event of one contest, whose
    // title is in text_; then the new result is held in its slot.
    void contest_event(const Council& c, const Contest& contest, std::string_view received_at, const auto& order,
                       const auto& seats, HeldResult& next, auto& slot, std::vector<Event>& out) {
        const bool correction = slot.has_value();
        const std::string summary = seat_words(seats);
        if (correction) text_ += " (corrected)";
        const std::string words =
            labels ? seat_words(seats, [&](std::string_view code) { return card.display(code); }) : std::string();
        append_ward_text(text_, labels ? words : summary, next.declaration.uncontested(),
                         contest.seats - static_cast<int>(seats.size()), next.declaration.lots.has_value(),
                         contest.notional);
        JsonWriter& jw = begin(correction ? EventType::declaration_corrected : EventType::ward_declared, &c,
                               next.declaration.declared_at, received_at, text_);
        write_ward_result(jw, contest, next.declaration, order, seats, summary);
        jw.field("wire", wire_result(card, c, contest, next.declaration, order, seats, correction));  // model/wire_text
        if (correction) {
            write_replaces(jw, *slot);
            write_seat_changes(jw, *slot, next);
        }
        finish(out);
        next.seq = seq;
        slot = std::move(next);
    }

    static void write_desk(JsonWriter& w, const DeskAction& a) {
        w.key("desk").begin_object();
        w.field("name", a.by);
        w.field("reason", a.reason);
        w.end_object();
    }

    // Applies a desk action that check() accepted; its events go to out.
    void apply_desk(const DeskAction& a, std::string_view received_at, std::vector<Event>& out) {
        const CalledBy actor = CalledBy::of(a);
        CouncilState* cs = a.council.empty() ? nullptr : &councils[card.council_index(*card.council(a.council))];
        CouncilDesk* d = cs ? &desk[index_of(*cs)] : nullptr;
        switch (a.kind) {
            case DeskKind::policy:
            case DeskKind::release:
                if (!cs) night_policy = a.policy;
                else if (a.policy_default) d->policy.reset();
                else d->policy = a.policy;
                break;
            case DeskKind::approve: d->proposal->approved = CalledBy{false, a.by, a.reason, d->proposal->seq}; break;
            case DeskKind::override_call:
                d->desk_call = DeskCall{a.control, a.by, a.reason, std::string(received_at)};
                d->conflict.clear();
                if (cs->call() && cs->call()->control == a.control) cs->call()->called_by = actor;  // the desk's now
                break;
            case DeskKind::hand_back:
                d->desk_call.reset();
                d->conflict.clear();
                // A standing call the arithmetic agrees with stays: it is the arithmetic's again.
                if (cs->call() && cs->call()->control == cs->control_of(cs->settle()))
                    cs->call()->called_by = CalledBy::arithmetic();
                break;
            case DeskKind::withdraw: withdraw(*cs, a, received_at, out); break;
            case DeskKind::ward_state: return mark_ward(*cs, a, received_at, out);
            case DeskKind::embargo: set_embargo(a, received_at, out); break;
            case DeskKind::lift_embargo: return lift_embargo(a, received_at, out);
        }
        if (!started) {  // the calls knowable at start-up, under what the desk just set
            auto first = start_events();
            out.insert(out.end(), std::make_move_iterator(first.begin()), std::make_move_iterator(first.end()));
            return;
        }
        if (a.kind == DeskKind::embargo) return;
        // A council whose published call moved (or whose result went) is
        // updated, and then the scoreboard; a proposal or a conflict alone
        // changes neither.
        bool changed = a.kind == DeskKind::withdraw;
        for (auto& each : councils) {
            if ((cs && &each != cs) || !each.council().holds_election()) continue;
            const std::size_t before = out.size();
            settle(each, nullptr, received_at, out, actor);
            const bool moved = calls_moved(out, before);
            if (moved || (&each == cs && a.kind == DeskKind::withdraw)) council_updated(each, received_at, received_at, out);
            changed = changed || moved;
        }
        if (changed) scoreboard(received_at, received_at, out);
    }

    static bool calls_moved(const std::vector<Event>& out, std::size_t from) {
        return std::any_of(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(), [](const Event& e) {
            return e.type == EventType::control_called || e.type == EventType::call_retracted;
        });
    }

    void withdraw(CouncilState& cs, const DeskAction& a, std::string_view received_at, std::vector<Event>& out) {
        const Council& c = cs.council();
        const Ward& w = *card.ward(c, a.ward);
        auto& slot = cs.ward(card.ward_index(c, w));
        const bool was_complete = cs.complete();
        cs.add_ward(slot->contribution, w, -1, true);
        remove_from_board(w, *slot);
        if (w.by_election) board.add_contest_declared(ContestKind::by_election, -1);
        else board.add_ward_declared(-1);
        if (was_complete && !cs.complete()) board.add_council_declared(-1);
        ward_desk[card.council_index(c)][card.ward_index(c, w)].withdrawn = a.revision;
        JsonWriter& jw = begin(EventType::declaration_withdrawn, &c, received_at, received_at,
                               c.name + ", " + w.name + ": result withdrawn by the desk");
        jw.field("council", c.id);
        jw.field("ward", w.id);
        jw.field("name", w.name);
        jw.key("withdraws").begin_object();
        jw.key("id");
        writer.write_id(jw, slot->seq);
        jw.field("seq", slot->seq);
        jw.field("declaration", slot->declaration.id);
        jw.field("revision", slot->declaration.revision);
        jw.field("declared_at", slot->declaration.declared_at);
        jw.end_object();
        std::map<std::string_view, int> delta;
        for (const auto& p : slot->winners) --delta[p];
        jw.key("seat_changes").begin_object();
        for (const auto& [p, n] : delta) jw.field(p, n);
        jw.end_object();
        write_desk(jw, a);
        finish(out);
        slot.reset();
    }

    void mark_ward(CouncilState& cs, const DeskAction& a, std::string_view received_at, std::vector<Event>& out) {
        const Council& c = cs.council();
        const Ward& w = *card.ward(c, a.ward);
        WardDesk& mark = ward_desk[card.council_index(c)][card.ward_index(c, w)];
        const bool clear = a.state == "none";
        mark.state = clear ? std::string() : a.state;
        mark.expected_at = a.expected_at;
        mark.reason = a.reason;
        mark.name = a.by;
        mark.at = std::string(received_at);
        std::string text = c.name + ", " + w.name + ": ";
        if (clear) text += "no longer marked recount or adjourned";
        else if (a.state == "recount") text += "recount";
        else text += "count adjourned" + (a.expected_at.empty() ? std::string() : ", resumes " + a.expected_at);
        JsonWriter& jw = begin(EventType::ward_state, &c, received_at, received_at, text);
        jw.field("council", c.id);
        jw.field("ward", w.id);
        jw.field("name", w.name);
        jw.field("state", a.state);
        jw.key("expected_at").string_or_null(a.expected_at);
        jw.field("declared", cs.ward(card.ward_index(c, w)).has_value());
        write_desk(jw, a);
        finish(out);
    }

    void set_embargo(const DeskAction& a, std::string_view received_at, std::vector<Event>& out) {
        embargo = Embargo{true, a.until, a.by, a.reason, std::string(received_at)};
        JsonWriter& w = begin(EventType::embargo_set, nullptr, received_at, received_at,
                              a.until.empty() ? std::string("Embargo: every call held until the desk lifts it")
                                              : "Embargo: every call held until " + a.until);
        w.key("until").string_or_null(a.until);
        write_desk(w, a);
        finish(out);
    }

    // Ends the embargo, then publishes what it held, in the order it was held,
    // as it stands now (a call the arithmetic no longer makes is not sent).
    void lift_embargo(const DeskAction& a, std::string_view received_at, std::vector<Event>& out) {
        embargo = Embargo{};
        std::vector<std::size_t> held;
        held.swap(embargo_queue);
        JsonWriter& w = begin(EventType::embargo_lifted, nullptr, received_at, received_at,
                              "Embargo lifted: " + std::to_string(held.size()) +
                                  (held.size() == 1 ? " held call follows" : " held calls follow"));
        w.key("held").begin_array();
        for (auto i : held) w.value(card.councils[i].id);
        w.end_array();
        write_desk(w, a);
        finish(out);
        const std::size_t before = out.size();
        for (auto i : held) {
            desk[i].embargoed = false;
            const std::size_t n = out.size();
            settle(councils[i], nullptr, received_at, out, CalledBy::of(a));
            if (calls_moved(out, n)) council_updated(councils[i], received_at, received_at, out);
        }
        if (calls_moved(out, before)) scoreboard(received_at, received_at, out);
    }

    std::vector<Event> start_events() {
        std::vector<Event> out;
        if (started) return out;
        started = true;
        for (auto& cs : councils)
            if (cs.council().holds_election()) settle(cs, nullptr, {}, out);
        // The scoreboard moves only with a published call (not a proposal).
        if (calls_moved(out, 0)) scoreboard({}, {}, out);
        return out;
    }

    // The highest revision the desk withdrew for this ward (0: none).
    std::int64_t withdrawn(const Council& c, std::string_view ward) const {
        const Ward* w = card.ward(c, ward);
        return w ? ward_desk[card.council_index(c)][card.ward_index(c, *w)].withdrawn : 0;
    }

    // The result held for a declaration's contest, or nullptr.
    const HeldResult* held(const Declaration& d) const {
        const Council* c = card.council(d.council);
        if (!c) return nullptr;
        const auto& cs = councils[card.council_index(*c)];
        if (const Ward* w = card.ward(*c, d.ward)) {
            const auto& slot = cs.ward(card.ward_index(*c, *w));
            return slot ? &*slot : nullptr;
        }
        if (const Mayoralty* m = card.mayor(*c, d.ward)) {
            const auto& slot = cs.mayor(static_cast<std::size_t>(m - c->mayors.data()));
            return slot ? &*slot : nullptr;
        }
        return nullptr;
    }

    void write_contest(JsonWriter& w, const Contest& contest, const std::optional<HeldResult>& slot,
                       bool postponed, const WardDesk* mark = nullptr) const {
        w.begin_object();
        w.field("contest", contest.kind);
        w.field("id", contest.id);
        w.field("name", contest.name);
        w.field("seats", contest.seats);
        w.field("postponed", postponed);
        w.field("notional", contest.notional);
        w.key("baseline").begin_array();
        for (const auto& p : *contest.baseline) w.value(p);
        w.end_array();
        w.field("declared", slot.has_value());
        if (mark) {  // the desk's marks: recount / count_adjourned, and a withdrawn revision
            w.key("state").string_or_null(mark->state);
            w.key("expected_at").string_or_null(mark->expected_at);
            w.key("withdrawn_revision");
            if (mark->withdrawn) w.value(mark->withdrawn);
            else w.null();
        }
        if (!slot) {
            w.key("event").null();
            w.key("result").null();
        } else {
            w.key("event").begin_object();
            w.key("id");
            writer.write_id(w, slot->seq);
            w.field("seq", slot->seq);
            w.end_object();
            const auto order = report_order(slot->declaration);
            const auto seats = seat_results(slot->winners, *contest.baseline);
            w.key("result").begin_object();
            write_ward_result(w, contest, slot->declaration, order, seats, seat_words(seats));
            w.end_object();
        }
        w.end_object();
    }

    // GET /v1/desk's parts (Tally::desk_json).
    void write_desk_embargo(JsonWriter& w) const;
    void write_desk_council(JsonWriter& w, std::size_t i) const;
    void write_desk_published_call(JsonWriter& w, const CouncilState& cs) const;
    void write_desk_wards(JsonWriter& w) const;
};

namespace {

Error desk_error(std::string code, std::string path, std::string expected, std::string got) {
    return Error{std::move(code), std::move(path), std::move(expected), std::move(got)};
}

// ISO 8601 UTC times compare as text to the second once both are in one form.
std::string_view to_second(std::string_view t) { return t.substr(0, std::min<std::size_t>(19, t.size())); }

}  // namespace

// Whether a desk action applies to what is held now; nullopt when it does.
// The action's fields were checked by parse_desk_action().
// A desk call: a council of known size, and a control that can be held.
std::optional<Error> Tally::check_override(const Council& council, const DeskAction& a) const {
    const auto& st = *state_;
    const Council* c = &council;
    if (c->size <= 0) return desk_error("size_unknown", "council", "a council whose size is known", c->id);
    if (a.control != kNoc) {
        const Party* party = st.card.party(a.control);
        if (!party || party->code != a.control || !party->can_control)
            return desk_error("bad_control", "control", "NOC or the code of a party on the card that can hold control",
                              a.control);
    }
    const auto& dc = st.desk[st.card.council_index(*c)].desk_call;
    if (dc && dc->control == a.control)
        return desk_error("already_called", "control", "a control other than the desk's standing call", a.control);
    return std::nullopt;
}

// A withdrawal or a ward mark: a ward that polls tonight, and for a withdrawal
// the revision held.
std::optional<Error> Tally::check_ward_action(const Council& council, const DeskAction& a) const {
    const auto& st = *state_;
    const Council* c = &council;
    const Ward* w = st.card.ward(*c, a.ward);
    if (!w) return desk_error("unknown_ward", "ward", "a ward of " + c->id, a.ward);
    if (w->postponed) return desk_error("postponed", "ward", "a ward that polls tonight", a.ward + " (postponed)");
    const auto& slot = st.councils[st.card.council_index(*c)].ward(st.card.ward_index(*c, *w));
    const WardDesk& mark = st.ward_desk[st.card.council_index(*c)][st.card.ward_index(*c, *w)];
    if (a.kind == DeskKind::ward_state) {
        if (a.state == "none" && mark.state.empty())
            return desk_error("no_ward_state", "state", "recount or count_adjourned (the ward has no mark to clear)", "none");
        return std::nullopt;
    }
    if (!slot) return desk_error("not_declared", "ward", "a ward with a result held", a.ward);
    if (slot->declaration.revision != a.revision)
        return desk_error("revision_not_held", "revision",
                          "the revision held, " + std::to_string(slot->declaration.revision),
                          std::to_string(a.revision));
    return std::nullopt;
}

std::optional<Error> Tally::check(const DeskAction& a, std::string_view received_at) const {
    const auto& st = *state_;
    const Council* c = nullptr;
    if (!a.council.empty()) {
        c = st.card.council(a.council);
        if (!c) return desk_error("unknown_council", "council", "a council on the card", a.council);
        if (!c->holds_election())
            return desk_error("no_election", "council", "a council with an election tonight", a.council);
    }
    auto needs_council = [&]() -> std::optional<Error> {
        if (!c) return desk_error("missing_field", "council", "a council id", "nothing (field is missing)");
        return std::nullopt;
    };
    switch (a.kind) {
        case DeskKind::policy: return std::nullopt;
        case DeskKind::release: {
            const CallPolicy now = c ? st.policy_of(st.card.council_index(*c)) : st.night_policy;
            if (now != CallPolicy::hold)
                return desk_error("not_held", "policy", "a council (or night) whose policy is hold",
                                  std::string(c ? c->id : "the night") + " under " + std::string(to_string(now)));
            return std::nullopt;
        }
        case DeskKind::approve: {
            if (auto e = needs_council()) return e;
            const auto& p = st.desk[st.card.council_index(*c)].proposal;
            if (!p || p->approved)
                return desk_error("no_proposal", "council", "a council with a proposed call awaiting the desk",
                                  c->id + (p ? " (its proposal is approved, held by the embargo)" : " (none proposed)"));
            if (!a.control.empty() && a.control != p->control)
                return desk_error("proposal_changed", "control", "the control proposed, " + p->control, a.control);
            return std::nullopt;
        }
        case DeskKind::override_call:
            if (auto e = needs_council()) return e;
            return check_override(*c, a);
        case DeskKind::hand_back:
            if (auto e = needs_council()) return e;
            if (!st.desk[st.card.council_index(*c)].desk_call)
                return desk_error("no_desk_call", "council", "a council with a standing desk call", c->id);
            return std::nullopt;
        case DeskKind::withdraw:
        case DeskKind::ward_state:
            if (auto e = needs_council()) return e;
            return check_ward_action(*c, a);
        case DeskKind::embargo:
            if (!a.until.empty() && to_second(a.until) <= to_second(received_at))
                return desk_error("bad_time", "until", "a time after now (" + std::string(received_at) + ")", a.until);
            return std::nullopt;
        case DeskKind::lift_embargo:
            if (!st.embargo.active) return desk_error("no_embargo", "action", "an embargo to lift", "none standing");
            if (!a.until.empty() && a.until != st.embargo.until)
                return desk_error("embargo_changed", "until", "the standing embargo's end, " +
                                  (st.embargo.until.empty() ? std::string("none") : st.embargo.until), a.until);
            return std::nullopt;
    }
    return std::nullopt;
}

Result<std::vector<Event>> Tally::apply(const DeskAction& a, std::string_view received_at) {
    if (auto e = check(a, received_at)) return Result<std::vector<Event>>::of_error(std::move(*e));
    auto& st = *state_;
    std::vector<Event> out;
    // Policies and embargoes set before the first input shape the calls
    // knowable at start-up; anything else starts the night first (a desk
    // call then comes after them, at its own time).
    const bool shapes_start =
        a.kind == DeskKind::policy || a.kind == DeskKind::release || a.kind == DeskKind::embargo;
    if (!shapes_start) out = start();
    st.apply_desk(a, received_at, out);
    return Result<std::vector<Event>>{std::move(out), {}};
}

Tally::Tally(const Card& card) : state_(std::make_unique<State>(card)) {}
Tally::~Tally() = default;

std::vector<Event> Tally::start() { return state_->start_events(); }

Assessment Tally::assess(Declaration& d) const {
    if (auto e = validate(state_->card, d)) return {Verdict::rejected, std::move(*e)};
    return judge(d);
}

Assessment Tally::judge(const Declaration& d, const Declaration* pending) const {
    const Council* c = state_->card.council(d.council);
    if (!c) return {Verdict::rejected, Error{"unknown_council", "council", "a council on the card", d.council}};
    if (!state_->card.ward(*c, d.ward) && !state_->card.mayor(*c, d.ward))
        return {Verdict::rejected, Error{"unknown_ward", "ward", "a ward of " + c->id, d.ward}};
    const HeldResult* held_result = pending ? nullptr : state_->held(d);
    const Declaration* held = pending ? pending : held_result ? &held_result->declaration : nullptr;
    if (!held) {
        const std::int64_t withdrawn = state_->withdrawn(*c, d.ward);
        if (d.revision > withdrawn) return {Verdict::fresh, {}};
        const std::string w = std::to_string(withdrawn);
        return {Verdict::stale, Error{"withdrawn_revision", "revision",
                                      "a revision above " + w + " (the desk withdrew revision " + w + ")",
                                      std::to_string(d.revision)}};
    }
    const auto have = held->revision;
    const std::string have_s = std::to_string(have);
    if (d.revision > have) return {Verdict::correction, {}};
    if (d.revision < have)
        return {Verdict::stale, Error{"stale_revision", "revision",
                                      "a revision above " + have_s + " (revision " + have_s + " is held)",
                                      std::to_string(d.revision)}};
    if (same_result(d, *held)) return {Verdict::duplicate, {}};
    return {Verdict::conflict,
            Error{"conflict", "revision", "the result already held for revision " + have_s + " (the first received stands), or a higher revision",
                  "a different result for revision " + have_s}};
}

std::vector<Event> Tally::apply(const Declaration& d, std::string_view received_at) {
    return apply(Declaration(d), received_at);
}

std::vector<Event> Tally::apply(Declaration&& d, std::string_view received_at) {
    auto& st = *state_;
    std::vector<Event> out = start();  // nothing once started
    out.reserve(out.size() + 4);       // a ward result, a call, the council, the scoreboard
    const Council* c = st.card.council(d.council);
    if (!c) throw std::invalid_argument("council not on the card: " + d.council);
    auto& cs = st.councils[st.card.council_index(*c)];
    if (const Ward* w = st.card.ward(*c, d.ward))
        st.apply_ward(cs, *w, std::move(d), received_at, out);
    else if (const Mayoralty* m = st.card.mayor(*c, d.ward))
        st.apply_mayor(cs, *m, std::move(d), received_at, out);
    else
        throw std::invalid_argument("contest not on the card: " + d.ward);
    return out;
}

std::uint64_t Tally::last_seq() const { return state_->seq; }
const Card& Tally::card() const { return state_->card; }

// Each council holding an election tonight, in card order: by_council of the
// summary and the list of /v1/councils.
void Tally::write_councils(JsonWriter& w) const {
    const auto& st = *state_;
    w.begin_array();
    for (const auto& cs : st.councils) {
        const Council& c = cs.council();
        if (!c.holds_election()) continue;  // not a council result tonight
        // What is published: a call the desk holds back is not shown here.
        const std::string control = cs.call() ? cs.call()->control : std::string();
        w.begin_object();
        w.field("id", c.id);
        w.field("name", c.name);
        w.field("region", c.region);
        w.field("status", cs.published_status());
        w.key("control").string_or_null(control);
        w.key("control_before").string_or_null(cs.control_before());
        w.key("outcome").string_or_null(control.empty() ? std::string() : cs.outcome_words(control));
        w.field("wards_declared", cs.wards_declared());
        w.field("wards_total", cs.wards_total());
        w.end_object();
    }
    w.end_array();
}

std::string Tally::councils_json() const {
    JsonWriter w;
    w.begin_object();
    w.field("last_seq", state_->seq);
    w.key("councils");
    write_councils(w);
    w.end_object();
    return w.str();
}

std::string Tally::summary_json() const {
    const auto& st = *state_;
    JsonWriter w;
    w.begin_object();
    w.field("election", st.card.election.id);
    w.field("test", st.card.election.test);
    w.field("last_seq", st.seq);
    st.board.write(w);
    w.key("by_council");
    write_councils(w);
    w.key("mayors").begin_array();
    for (const auto& cs : st.councils) {
        const Council& c = cs.council();
        for (std::size_t i = 0; i < c.mayors.size(); ++i) {
            const auto& m = c.mayors[i];
            const auto& slot = cs.mayor(i);
            w.begin_object();
            w.field("id", m.id);
            w.field("name", m.name);
            w.field("council", c.id);
            w.field("kind", m.kind);
            w.key("previous").string_or_null(m.previous);
            if (slot && !slot->winners.empty()) {
                std::vector<std::string> previous;
                if (!m.previous.empty()) previous.push_back(m.previous);
                const auto seats = seat_results(slot->winners, previous);
                w.field("winner", slot->winners.front());
                w.field("outcome", seat_words(seats));
            } else {
                w.key("winner").null();
                w.key("outcome").null();
            }
            w.end_object();
        }
    }
    w.end_array();
    w.end_object();
    return w.str();
}

std::string Tally::council_json(std::string_view council_id) const {
    const auto& st = *state_;
    const Council* c = st.card.council(council_id);
    if (!c) return {};
    const auto& cs = st.councils[st.card.council_index(*c)];
    JsonWriter w;
    w.begin_object();
    cs.write(w, st.writer);
    w.key("wards").begin_array();
    for (std::size_t i = 0; i < c->wards.size(); ++i) {
        const Ward& wd = c->wards[i];
        st.write_contest(w, State::ward_contest(wd), cs.ward(i), wd.postponed,
                         &st.ward_desk[st.card.council_index(*c)][i]);
    }
    w.end_array();
    w.key("mayors").begin_array();
    for (std::size_t i = 0; i < c->mayors.size(); ++i) {
        const Mayoralty& m = c->mayors[i];
        std::vector<std::string> previous;
        if (!m.previous.empty()) previous.push_back(m.previous);
        st.write_contest(w, Contest{m.kind, m.id, m.name, 1, &previous, false}, cs.mayor(i), false);
    }
    w.end_array();
    w.end_object();
    return w.str();
}

}  // namespace declared

namespace declared {

std::string Tally::embargo_until() const { return state_->embargo.active ? state_->embargo.until : std::string(); }

void Tally::State::write_desk_embargo(JsonWriter& w) const {
    w.begin_object();
    w.field("active", embargo.active);
    w.key("until").string_or_null(embargo.until);
    w.key("name").string_or_null(embargo.name);
    w.key("reason").string_or_null(embargo.reason);
    w.key("since").string_or_null(embargo.at);
    w.key("held").begin_array();
    for (auto i : embargo_queue) w.value(card.councils[i].id);
    w.end_array();
    w.end_object();
}

// The call a council's subscribers have seen, or null.
void Tally::State::write_desk_published_call(JsonWriter& w, const CouncilState& cs) const {
    const auto& call = cs.call();
    if (!call) {
        w.null();
        return;
    }
    w.begin_object();
    w.key("id");
    writer.write_id(w, call->seq);
    w.field("seq", call->seq);
    w.field("control", call->control);
    w.field("outcome", call->outcome);
    w.key("called_by");
    write_called_by(w, call->called_by, writer);
    w.end_object();
}

void Tally::State::write_desk_council(JsonWriter& w, std::size_t i) const {
    const auto& cs = councils[i];
    const Council& c = cs.council();
    const CouncilDesk& d = desk[i];
    const auto s = cs.settle();
    const std::string arith = cs.control_of(s);
    w.begin_object();
    w.field("id", c.id);
    w.field("name", c.name);
    w.field("region", c.region);
    w.field("policy", to_string(policy_of(i)));
    w.field("own_policy", d.policy.has_value());
    w.key("arithmetic").begin_object();
    w.field("status", control::to_string(s.status));
    w.key("control").string_or_null(arith);
    w.key("outcome").string_or_null(arith.empty() ? std::string() : cs.outcome_words(arith));
    w.field("proof", cs.proof(s));
    w.end_object();
    w.key("call");
    write_desk_published_call(w, cs);
    w.key("proposal");
    if (d.proposal) {
        w.begin_object();
        w.key("id");
        writer.write_id(w, d.proposal->seq);
        w.field("seq", d.proposal->seq);
        w.field("control", d.proposal->control);
        w.field("outcome", d.proposal->outcome);
        w.field("approved", d.proposal->approved.has_value());
        w.end_object();
    } else {
        w.null();
    }
    w.key("desk_call");
    if (d.desk_call) {
        w.begin_object();
        w.field("control", d.desk_call->control);
        w.field("outcome", cs.outcome_words(d.desk_call->control));
        w.field("name", d.desk_call->name);
        w.field("reason", d.desk_call->reason);
        w.field("at", d.desk_call->at);
        w.end_object();
    } else {
        w.null();
    }
    w.key("conflict").string_or_null(d.conflict);
    // The arithmetic has a call that nothing publishes: hold, or the embargo.
    w.field("held", !arith.empty() && !cs.call() && !d.desk_call && !d.proposal);
    w.field("embargoed", d.embargoed);
    w.end_object();
}

// Wards the desk has marked (recount, adjourned) or withdrawn a result of.
void Tally::State::write_desk_wards(JsonWriter& w) const {
    w.begin_array();
    for (std::size_t i = 0; i < councils.size(); ++i) {
        const Council& c = card.councils[i];
        for (std::size_t j = 0; j < c.wards.size(); ++j) {
            const WardDesk& m = ward_desk[i][j];
            if (m.state.empty() && !m.withdrawn) continue;
            w.begin_object();
            w.field("council", c.id);
            w.field("ward", c.wards[j].id);
            w.field("name", c.wards[j].name);
            w.key("state").string_or_null(m.state);
            w.key("expected_at").string_or_null(m.expected_at);
            w.key("withdrawn_revision");
            if (m.withdrawn) w.value(m.withdrawn);
            else w.null();
            w.field("declared", councils[i].ward(j).has_value());
            w.end_object();
        }
    }
    w.end_array();
}

std::string Tally::desk_json() const {
    const auto& st = *state_;
    JsonWriter w;
    w.begin_object();
    w.field("election", st.card.election.id);
    w.field("last_seq", st.seq);
    w.field("policy", to_string(st.night_policy));
    w.key("embargo");
    st.write_desk_embargo(w);
    w.key("councils").begin_array();
    for (std::size_t i = 0; i < st.councils.size(); ++i)
        if (st.councils[i].council().holds_election()) st.write_desk_council(w, i);
    w.end_array();
    w.key("wards");
    st.write_desk_wards(w);
    w.end_object();
    return w.str();
}

}  // namespace declared
