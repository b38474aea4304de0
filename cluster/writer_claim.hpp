#pragma once
// The two messages that say who writes the stream. A writer claim is a
// stream message (on the writer subject): a node that starts as primary, or
// a standby taking over, appends one with Nats-Expected-Last-Sequence set to
// the last sequence it applied, so the claim succeeds only if nothing was
// written since, and from then on the old writer's next append is refused
// (10071): that compare-and-set is the whole of the fencing. A heartbeat is
// a core NATS message the writer sends every interval, not kept anywhere: a
// standby takes its absence as the cue to try a claim, nothing more. Pure:
// no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace declared::cluster {

struct WriterClaim {
    std::string writer;         // the claiming journal's writer id (its Nats-Msg-Id prefix)
    std::string node;           // --cluster.node, for operators
    std::uint64_t after = 0;    // the last stream sequence the claimant had applied
    std::string reason;         // "start" or "takeover"
    std::string at;             // ISO 8601 UTC
};

std::string encode_claim(const WriterClaim& c);
// where: names the stream and sequence in errors (cluster_stream_damaged).
Result<WriterClaim> decode_claim(std::string_view bytes, const std::string& where);

struct Heartbeat {
    std::string writer;
    std::string node;
    bool resigning = false;  // the last one of a writer shutting down cleanly: take over now
};

std::string encode_heartbeat(const Heartbeat& h);
// Nothing when the bytes are no heartbeat: a stray message is ignored, not trusted.
std::optional<Heartbeat> decode_heartbeat(std::string_view bytes);

}  // namespace declared::cluster
