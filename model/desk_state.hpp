#pragma once
// What the results desk has standing, per council and per ward, as the tally
// keeps it (docs/desk.md, "Desk rules"): the council's own call policy, a
// desk call overriding the arithmetic, a proposed call awaiting approval,
// and per ward a recount or adjournment mark and the revision withdrawn.
// Plain data: Tally changes it, only while applying a journalled input.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/control.hpp"
#include "model/desk_action.hpp"

namespace declared {

class JsonWriter;
class EventWriter;

// Who decided a call event: the arithmetic (perhaps approved by the desk) or
// the desk itself. Written as the event's "called_by" member.
struct CalledBy {
    bool desk = false;           // the desk made this call (an override) or this retraction
    std::string name, reason;    // the desk's: who and why (desk, or approved)
    std::uint64_t approved = 0;  // seq of the call_proposed event the desk approved (0: none)

    static CalledBy arithmetic() { return {}; }
    static CalledBy of(const DeskAction& a) { return {true, a.by, a.reason, 0}; }
};

// {"by":"arithmetic"}, {"by":"arithmetic","approved_by":{"name":..,"reason":..},
// "proposal":{"id":..,"seq":..}} or {"by":"desk","name":..,"reason":..}.
void write_called_by(JsonWriter& w, const CalledBy& by, const EventWriter& ids);

// A call the arithmetic makes under policy approve, waiting for the desk.
struct Proposal {
    control::Status status = control::Status::unknown;
    std::string control;           // party code or "NOC"
    std::string outcome;           // "LAB GAIN from CON"
    std::uint64_t seq = 0;         // the call_proposed event
    std::optional<CalledBy> approved;  // set once approved (an embargo may still hold it)
};

// A desk call standing against (or ahead of) the arithmetic.
struct DeskCall {
    std::string control;  // party code or "NOC"
    std::string name, reason;
    std::string at;       // received_at of the override
};

struct CouncilDesk {
    std::optional<CallPolicy> policy;  // nullopt: the night's policy
    std::optional<DeskCall> desk_call;
    std::optional<Proposal> proposal;
    std::string conflict;   // arithmetic control last reported in a call_conflict ("" none)
    bool embargoed = false; // a call waits for the embargo to end
};

struct WardDesk {
    std::int64_t withdrawn = 0;  // highest revision the desk withdrew (0: none)
    std::string state;           // "", "recount", "count_adjourned"
    std::string expected_at, reason, name, at;
};

struct Embargo {
    bool active = false;
    std::string until;  // UTC, or "" until lifted
    std::string name, reason, at;
};

}  // namespace declared
