#pragma once
// The running tally of one election night: per-ward results, per-council
// composition and control, national totals. Feed it declarations in arrival
// order; it returns the events each one causes, serialized, with sequence
// numbers. Same card + same declarations in the same order = byte-identical
// events (no clocks, no hash-order iteration).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/card.hpp"
#include "model/declaration.hpp"
#include "model/desk_action.hpp"
#include "model/error.hpp"
#include "model/event.hpp"

namespace declared {

class JsonWriter;

enum class Verdict {
    fresh,       // first result for this ward: apply it
    correction,  // higher revision than the one held: apply it (replaces)
    duplicate,   // same revision, same content: nothing to do
    stale,       // lower revision than the one held: ignored (error says why)
    conflict,    // same revision, different content: rejected
    rejected,    // invalid against the card (error says why)
};

std::string_view to_string(Verdict v);

struct Assessment {
    Verdict verdict = Verdict::rejected;
    Error error;  // set for stale, conflict and rejected
    bool accepted() const { return verdict == Verdict::fresh || verdict == Verdict::correction; }
};

class Tally {
public:
    explicit Tally(const Card& card);  // card must outlive the tally
    ~Tally();
    Tally(const Tally&) = delete;
    Tally& operator=(const Tally&) = delete;

    // Events knowable before any count (e.g. a thirds council whose control
    // cannot change). Call once, before the first apply().
    std::vector<Event> start();

    // Validates against the card (resolving party aliases in d) and against
    // what is held. Changes nothing.
    Assessment assess(Declaration& d) const;
    // assess() for a declaration that validate() has already accepted against
    // this card: only what is held decides (fresh, correction, duplicate,
    // stale, conflict). Ingest validates a whole batch before applying any.
    // pending, when set, is the declaration for d's contest that is accepted
    // but not yet applied (it waits for the journal): it decides instead.
    Assessment judge(const Declaration& d, const Declaration* pending = nullptr) const;

    // Applies an assessed, accepted declaration. received_at is recorded on the
    // events (the journal keeps it, so a rebuild gives the same bytes).
    // The rvalue form keeps d itself, saving a copy of every string in it;
    // received_at must then not point into d.
    std::vector<Event> apply(const Declaration& d, std::string_view received_at);
    std::vector<Event> apply(Declaration&& d, std::string_view received_at);

    // Desk actions (docs/desk.md): check() says whether one applies to what
    // is held, changing nothing; apply() checks again (what is held may have
    // moved while the action waited for the journal) and applies it, or
    // changes nothing and says why. received_at is the action's time, from
    // its journal entry: it is on the events, and an embargo's end is judged
    // against it. Before the first input, policies and an embargo shape the
    // calls knowable at start-up.
    std::optional<Error> check(const DeskAction& a, std::string_view received_at) const;
    Result<std::vector<Event>> apply(const DeskAction& a, std::string_view received_at);
    // The desk's state (GET /v1/desk): policies, desk calls, proposals,
    // holds, the embargo, ward marks and withdrawals; one line of JSON.
    std::string desk_json() const;
    // The standing embargo's end time (UTC), or "" when none stands or it has no end.
    std::string embargo_until() const;

    std::uint64_t last_seq() const;
    const Card& card() const;

    // The national summary object (councillors, councils, councils_declared,
    // councils_total, by_council, ...), one line of JSON.
    std::string summary_json() const;
    // {"last_seq": N, "councils": [...]}: the summary's by_council alone, for
    // GET /v1/councils.
    std::string councils_json() const;
    // One council's full state (composition, control, wards), one line of JSON;
    // empty string for an unknown id.
    std::string council_json(std::string_view council_id) const;

private:
    struct State;
    void write_councils(JsonWriter& w) const;
    std::optional<Error> check_override(const Council& council, const DeskAction& a) const;
    std::optional<Error> check_ward_action(const Council& council, const DeskAction& a) const;
    std::unique_ptr<State> state_;
};

}  // namespace declared
