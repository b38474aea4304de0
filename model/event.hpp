#pragma once
// An event as the rest of the system sees it: serialized once, with the filter
// keys beside the bytes so nobody parses JSON to route it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace declared {

enum class EventType {
    ward_declared,          // a ward (or mayoral contest) result, per-seat gain/hold
    declaration_corrected,  // a higher revision replaced an earlier result
    council_updated,        // composition, progress, control status
    control_called,         // control secured / NOC certain, with the arithmetic
    call_retracted,         // an earlier call no longer holds
    scoreboard,             // national totals
    call_proposed,          // policy approve: an arithmetic call awaiting the desk (not published)
    call_conflict,          // the arithmetic contradicts a standing desk call (no call changes)
    declaration_withdrawn,  // the desk withdrew a result: the ward is undeclared again
    ward_state,             // the desk marked a ward recount / count_adjourned, or cleared it
    embargo_set,            // the desk holds every call until the embargo ends
    embargo_lifted,         // the embargo ended: held calls follow
    heartbeat,              // feed only: nothing happened, here is the current seq
};

std::string_view to_string(EventType t);

struct Event {
    std::uint64_t seq = 0;
    EventType type = EventType::heartbeat;
    std::string council;  // filter key, empty for national events
    std::string region;   // filter key, empty for national events
    std::shared_ptr<const std::string> json;  // the whole envelope, one line, no newline
};

}  // namespace declared
