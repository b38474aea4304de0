#pragma once
// Whether a cluster follower (a standby or an edge) is ready, from its
// status: not once its follower has stopped (a gap, a record that does not
// apply), nor while it is more than max_lag messages behind the stream, so a
// balancer sends new subscribers to a node that is current. A node behind
// still serves in order, with no gap, and is ready again once it catches up.
// Pure: the tests give it statuses.
#include <cstdint>

#include "daemon/serve/cluster_node.hpp"
#include "model/error.hpp"

namespace declared {

// Empty code: ready.
Error follower_readiness(const ClusterStatus& status, std::uint64_t max_lag);

}  // namespace declared
