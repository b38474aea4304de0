#pragma once
// The cluster node for /metrics (docs/cluster.md): its role, how far its
// follower is behind the stream, its takeovers and step-downs, the writes of
// its current term as writer, and the journal's publishes, the resends after
// an unknown outcome, the outcomes settled by reading the stream back, and
// the acknowledgements.
#include <string>

#include "cluster/jetstream_journal.hpp"
#include "daemon/serve/cluster_node.hpp"

namespace declared {

void render_cluster_metrics(std::string& out, const cluster::JetStreamJournal& journal, const ClusterNode& node);

}  // namespace declared
