#pragma once
// One results-desk action as an input (docs/desk.md): what the desk did, to
// which council or ward, who did it (the desk token's name), and why. Desk
// actions are journalled beside declarations and applied by the same writer,
// so a restart replays them in the same order and rebuilds the same events.
// The time it was received travels with it in the journal entry, not here.
#include <cstdint>
#include <string>
#include <string_view>

namespace declared {

enum class DeskKind {
    policy,        // a council's (or the night's) call policy: auto, approve, hold
    release,       // ends a hold: the policy becomes `policy` (auto unless given)
    approve,       // publishes the council's standing proposed call
    override_call, // the desk calls the council itself (a party or NOC)
    hand_back,     // ends an override: the arithmetic decides again
    withdraw,      // withdraws a held result (ward, revision)
    ward_state,    // marks a ward recount / count_adjourned, or clears the mark (none)
    embargo,       // holds every call until lifted (or until `until`)
    lift_embargo,  // ends the embargo; publishes what it held, in order
};

// "policy", "release", "approve", "override", "return", "withdraw",
// "ward_state", "embargo", "lift_embargo": the API's and the CLI's names.
std::string_view to_string(DeskKind k);

enum class CallPolicy { automatic, approve, hold };
std::string_view to_string(CallPolicy p);  // "auto", "approve", "hold"

struct DeskAction {
    DeskKind kind = DeskKind::policy;
    std::string by;       // the desk token's name (set by the daemon, never by the body)
    std::string reason;   // required free text
    std::string council;  // empty: night-wide (policy, release) or not applicable
    std::string ward;     // withdraw, ward_state
    std::int64_t revision = 0;  // withdraw: the revision withdrawn (must be the one held)
    CallPolicy policy = CallPolicy::automatic;  // policy, release
    bool policy_default = false;  // policy "default": the council follows the night-wide policy
    std::string control;  // override: party code or "NOC"; approve: the call approved (optional check)
    std::string state;    // ward_state: "recount", "count_adjourned" or "none"
    std::string expected_at;  // ward_state count_adjourned: when counting resumes (UTC), optional
    std::string until;    // embargo: UTC time it ends by itself, optional; lift_embargo: the embargo it ends (the timer's)
};

}  // namespace declared
