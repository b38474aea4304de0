#include "model/tally.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>


#include "model/control.hpp"
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

    explicit State(const Card& c) : card(c), writer(c), board(c) {
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

    // Retracts a call that no longer holds, then calls control when it has
    // become settled. The retraction always precedes the new call.
    void settle(CouncilState& cs, const Declaration* cause, std::string_view received_at,
                std::vector<Event>& out) {
        const Council& c = cs.council();
        const std::string_view at = cause ? std::string_view(cause->declared_at) : std::string_view();
        const auto s = cs.settle();
        const std::string control = cs.control_of(s);
        auto& call = cs.call();
        if (call && call->control != control) {
            board.add_council_control(control_key(cs.control_before()), control_key(call->control), -1);
            const std::string text = c.name + ": call retracted, " + call->text + " no longer stands";
            JsonWriter& w = begin(EventType::call_retracted, &c, at, received_at, text);
            w.field("council", c.id);
            w.field("name", c.name);
            w.key("retracts").begin_object();
            w.key("id");
            writer.write_id(w, call->seq);
            w.field("seq", call->seq);
            w.end_object();
            w.field("call", control::to_string(call->status));
            w.field("control", call->control);
            w.field("outcome", call->outcome);
            w.field("status", control::to_string(s.status));
            w.key("arithmetic").begin_object();
            cs.write_arithmetic(w, s);
            w.end_object();
            write_cause(w, cause);
            finish(out);
            call.reset();
        }
        if (!call && !control.empty()) {
            const std::string outcome = cs.outcome_words(control);
            const std::string words = labels ? cs.outcome_text(control) : outcome;
            JsonWriter& w = begin(EventType::control_called, &c, at, received_at,
                                  c.name + ": " + words + call_kind(cause == nullptr, cs.undeclared()));
            w.field("council", c.id);
            w.field("name", c.name);
            w.field("call", control::to_string(s.status));
            w.field("final", cs.undeclared() == 0);
            w.field("control", control);
            w.key("control_before").string_or_null(cs.control_before());
            w.field("outcome", outcome);
            w.field("outcome_kind", control::to_string(cs.outcome(control)));
            w.field("wire", wire_call(card, cs, control));  // model/wire_text
            w.key("arithmetic").begin_object();
            cs.write_arithmetic(w, s);
            w.end_object();
            write_cause(w, cause);
            finish(out);
            call = Call{s.status, control, outcome, words, seq};
            board.add_council_control(control_key(cs.control_before()), control_key(control), +1);
        }
    }

    void council_updated(CouncilState& cs, const Declaration& d, std::string_view received_at,
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
        JsonWriter& w = begin(EventType::council_updated, &c, d.declared_at, received_at, text);
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
        if (w.postponed) throw std::invalid_argument("declaration for a postponed poll: " + w.id);

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
            council_updated(cs, held, received_at, out);
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
                       bool postponed) const {
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
};

Tally::Tally(const Card& card) : state_(std::make_unique<State>(card)) {}
Tally::~Tally() = default;

std::vector<Event> Tally::start() {
    std::vector<Event> out;
    auto& st = *state_;
    if (st.started) return out;
    st.started = true;
    for (auto& cs : st.councils)
        if (cs.council().holds_election()) st.settle(cs, nullptr, {}, out);
    if (!out.empty()) st.scoreboard({}, {}, out);
    return out;
}

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
    if (!held) return {Verdict::fresh, {}};
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
        const auto s = cs.settle();
        const std::string control = cs.control_of(s);
        w.begin_object();
        w.field("id", c.id);
        w.field("name", c.name);
        w.field("region", c.region);
        w.field("status", cs.status_name(s));
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
        st.write_contest(w, State::ward_contest(wd), cs.ward(i), wd.postponed);
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
