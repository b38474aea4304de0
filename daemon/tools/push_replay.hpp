#pragma once
// declared replay --to URL: push a recorded (or generated) night's
// declarations into a running daemon (POST /v1/declarations) at their
// recorded times, compressed by a speed factor, or as fast as the daemon
// acknowledges. A batch is resent until the daemon answers it (503 and lost
// connections are retried with backoff), so a daemon restart mid-replay loses
// or skips nothing; a resent declaration the daemon already holds is answered
// as a duplicate. See docs/generate.md.
//
// With faults set it is a rehearsal (docs/rehearsal.md): the night is sent
// with seeded faults injected (daemon/tools/fault_plan.hpp), and it ends by
// comparing the daemon's state with the fault-free night and printing the
// report (daemon/tools/rehearsal_report.hpp).
#include <chrono>
#include <cstddef>
#include <optional>
#include <cstdint>
#include <string>

#include "daemon/tools/fault_spec.hpp"

namespace declared {

struct PushOptions {
    std::string url;                 // http://HOST:PORT[/prefix]
    std::optional<double> speed;     // night seconds per wall second; nullopt: as fast as acknowledged
    std::string token;               // bearer token for POST /v1/declarations
    std::string card_path;           // for progress: wards per council
    std::string declarations_path;   // JSON lines, in the order to send
    std::size_t batch_lines = 200;   // most declarations per POST
    std::size_t batch_bytes = 256 * 1024;
    std::chrono::seconds give_up_after{120};  // stop when the daemon stays unreachable this long
    bool quiet = false;              // no progress lines (the summary line still prints)
    std::optional<FaultRates> faults;  // set: a rehearsal with these faults
    std::uint64_t seed = 0;            // for the faults' random points
    std::string report_path;           // with faults: also write the report here as JSON
    std::string intended_path;         // with faults: write the fault-free night's declarations here (JSON lines)
    std::string read_token;            // with faults: to read the daemon's state on a private night
    std::string desk_token;            // with the withdrawal fault: a desk token of the daemon
};

// Returns the process exit code: 0 when every declaration was acknowledged
// (accepted, corrected, duplicate or stale), 1 when some were refused or the
// daemon could not be reached, 2 for bad options. A rehearsal returns 0 when
// every line was sent and the final state equals the fault-free night.
int push_replay(const PushOptions& options);

// Parses a --speed value: "max" (nullopt) or a number > 0; false when neither.
bool parse_speed(const std::string& text, std::optional<double>& speed);

}  // namespace declared
