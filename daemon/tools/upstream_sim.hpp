#pragma once
// declared upstream-sim: a recorded night served as an upstream feed, in the
// format the daemon's upstream poll reads (ingest/sources/upstream_source.hpp): GET
// answers every declaration released so far as JSON lines, with an ETag,
// and 304 to a matching If-None-Match. Declarations are released by their
// declared_at at a chosen speed. With faults it misbehaves as real feeds do:
// 500s, no answer within the poller's timeout, bodies trickled slowly, bodies
// cut off part-way, and new ETags for unchanged bodies. Every fault is logged
// as injected; the report (stdout, and --report FILE as JSON) ends the run:
// on SIGTERM or SIGINT, or when the night is over (every declaration released,
// every fault kind named injected, and a poll that shows the poller holds the
// whole night: its If-None-Match is an ETag of the complete body).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/tools/fault_spec.hpp"

namespace declared {

struct SimOptions {
    std::string night_dir;  // card.json and declarations.jsonl
    std::string address = "127.0.0.1";
    std::uint16_t port = 8090;
    std::optional<double> speed;  // night seconds per wall second; nullopt: everything at once
    FaultRates faults;
    std::uint64_t seed = 0;
    std::chrono::milliseconds poller_timeout{10'000};  // the daemon's upstream.timeout_ms
    std::string report_path;
    bool stay = false;  // keep serving after the night is over, until a signal
};

// The process exit code: 0 after a report, 1 when the night cannot be read
// or the address not listened on.
int run_upstream_sim(const SimOptions& options);

}  // namespace declared
