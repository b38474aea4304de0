#pragma once
// The report that ends a rehearsal (declared replay --to --faults): what was
// injected, each fault with the lines it sent, what the daemon answered to
// each (from its per-line results), which answers were not what a sound
// daemon gives, and whether the final state equals the fault-free night.
// As text for the terminal and as one JSON object for --report FILE.
#include <span>
#include <string>

#include "daemon/tools/fault_plan.hpp"
#include "daemon/tools/state_compare.hpp"

namespace declared {

// What the daemon said about one planned line (empty status: never answered).
struct LineAnswer {
    std::string status;   // accepted, corrected, duplicate, stale, conflict, rejected; a desk action's applied, refused
    std::string message;  // its error message, when it gave one
};

struct RehearsalOutcome {
    const FaultPlan& plan;
    const FaultRates& rates;
    std::span<const LineAnswer> answers;  // by planned line
    const StateComparison& state;
    bool all_sent = true;  // false when the replay stopped early
};

// Answers that are not what a sound daemon gives to that line: a night's own
// line refused, or a fault answered otherwise than expected.
std::vector<std::string> rehearsal_surprises(const RehearsalOutcome& o);
std::string rehearsal_report_text(const RehearsalOutcome& o);
std::string rehearsal_report_json(const RehearsalOutcome& o);

}  // namespace declared
