#pragma once
// A rehearsal's plan: a recorded night's declarations with faults injected at
// seeded random points, and the fault-free night the final state must equal.
// Pure: the same night, rates and seed give the same plan on every platform
// (integer draws on mt19937_64, see daemon/tools/generate/rng.hpp).
//
// Noise must change nothing: duplicates, conflicts, stale revisions and
// malformed lines are refused or ignored, and bursts and pauses only move
// declarations in time. Corrections are real inputs: a late correction (and
// the correction that an out-of-order or stale fault needs) is part of the
// intended night, at the place it would have come without the fault, so the
// offline replay of `intended` is what the daemon must end up holding.
// Only declarations of wards that come once in the night, with votes and no
// lots, are subjects of faults, so each made-up revision is unambiguous.
//
// A withdrawal is the one fault the desk answers: a wrong result is sent for a
// ward, the desk withdraws it (a desk action, `desk` set), and the right
// result follows as a higher revision. All three are part of the intended
// night, since the withdrawal leaves its mark on the ward (docs/desk.md).
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/tools/fault_spec.hpp"
#include "daemon/tools/night_file.hpp"
#include "model/card.hpp"

namespace declared {

struct PlannedLine {
    std::string text;       // what to send
    long long at = 0;       // night seconds
    std::size_t line_no = 0;  // the night's line it is or was made from (0: none)
    int fault = -1;         // index into FaultPlan::faults, -1 for the night's own line
    std::string expect;     // the answer a sound daemon gives (empty: any acknowledgement)
    int burst = -1;         // lines of one burst are sent at once, concurrently
    std::chrono::milliseconds pause_before{0};  // silence before sending this line
    bool desk = false;      // a desk action (POST /v1/desk/actions), not a declaration
};


struct InjectedFault {
    std::string kind;
    std::size_t line_no = 0;  // the night's line it concerns (0: none)
    std::string ward;         // council/ward, when it concerns one
    std::string what;         // what was done, in words
};

struct FaultPlan {
    std::uint64_t seed = 0;
    std::vector<PlannedLine> lines;     // what to send, in order
    std::vector<NightInput> intended;    // the fault-free night, in order
    std::vector<InjectedFault> faults;
};

// The night's lines with no fault: what a plain replay sends.
FaultPlan plan_without_faults(std::span<const NightLine> night);
FaultPlan plan_faults(const Card& card, std::span<const NightLine> night, const FaultRates& rates, std::uint64_t seed);

}  // namespace declared
