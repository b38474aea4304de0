#pragma once
// The stream a cluster journal lives in: found, or created if absent, with a
// configuration under which no record can ever leave it (deletes and purges
// denied, no age, count or size limit, no rollups, limits retention, file
// storage). An existing stream configured so that records could be dropped
// is refused rather than written to: a journal that loses records would
// rebuild different events. A replica count other than the one asked for is
// only a warning (an operator may have moved it on purpose).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cluster/nats_connection.hpp"
#include "model/error.hpp"

namespace declared::cluster {

struct StreamSpec {
    std::string name = "DECLARED";
    std::string genesis_subject;  // the first message's
    std::string records_subject;  // the journal's records
    std::string writer_subject;   // a writer's claim (cluster/writer_claim.hpp), the genesis' writer's or a takeover's
    std::string heartbeat_subject;  // the writer's liveness, core NATS only: not in the stream
    std::string ingest_subject;     // POSTs a follower relays to the writer (request/reply, core NATS)
    int replicas = 3;
    std::chrono::seconds duplicate_window{120};  // Nats-Msg-Id de-duplication
};

// Subjects for a stream name: declared.<name>.genesis, .records, .writer, .heartbeat and .ingest.
StreamSpec stream_spec(std::string name, int replicas);

struct StreamState {
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t messages = 0;
    std::string leader;         // the server leading the stream's replicas (empty for R1 outside a cluster)
    bool created = false;       // by this call
    std::vector<Error> warnings;
};

// Stream info, creating the stream if it does not exist. Errors:
// cluster_stream_config (an existing stream that could drop records, or
// whose subjects are not ours), cluster_unavailable (no answer in time).
Result<StreamState> ensure_stream(const NatsConnection& c, const StreamSpec& spec);
// Stream info only (cluster_stream_missing when absent).
Result<StreamState> stream_state(const NatsConnection& c, const std::string& name);

}  // namespace declared::cluster
