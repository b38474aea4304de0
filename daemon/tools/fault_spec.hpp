#pragma once
// A rehearsal's fault specification: which faults to inject and how often.
// "all" switches on every kind the command knows at its default rate;
// "duplicate=0.02,malformed=0.01" names kinds with a rate, the share of the
// night's declarations (or, for upstream-sim, of its answers) that get the
// fault; "all,pause=0" starts from all and changes one. A bad spec is an Error
// naming the item (its position in the spec), what was expected and what came.
// Each command has its own kinds (see replay_fault_kinds and sim_fault_kinds):
// a kind another command knows is refused with the name of that command.
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace declared {

struct FaultKind {
    std::string_view name;
    double default_rate;
    std::string_view what;  // for --help and the report
};

// Faults declared replay --to --faults injects into the declarations it sends.
std::span<const FaultKind> replay_fault_kinds();
// Faults declared upstream-sim injects into its HTTP answers.
std::span<const FaultKind> sim_fault_kinds();

// Kind name -> rate in [0, 1]; kinds at rate 0 are left out.
using FaultRates = std::map<std::string, double, std::less<>>;

Result<FaultRates> parse_fault_spec(std::string_view spec, std::span<const FaultKind> kinds);

// "duplicate, malformed (0.01 each)..." for --help: every kind with its default rate.
std::string describe_fault_kinds(std::span<const FaultKind> kinds);

}  // namespace declared
