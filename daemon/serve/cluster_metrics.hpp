#pragma once
// The cluster journal's counts for /metrics (docs/cluster.md): whether this
// node is still the stream's writer (0 once fenced: another node took over),
// and its publishes, the resends after an unknown outcome, the outcomes
// settled by reading the stream back, and the acknowledgements.
#include <string>

#include "cluster/jetstream_journal.hpp"
#include "ingest/ingest.hpp"

namespace declared {

void render_cluster_metrics(std::string& out, const cluster::JetStreamJournal& journal, const Ingest& ingest);

}  // namespace declared
