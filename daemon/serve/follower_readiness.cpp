#include "daemon/serve/follower_readiness.hpp"

#include <string>

namespace declared {

Error follower_readiness(const ClusterStatus& status, std::uint64_t max_lag) {
    if (!status.broken.code.empty()) return status.broken;
    if (status.pending > max_lag)
        return Error{"cluster_behind", "",
                     "at most " + std::to_string(max_lag) + " messages behind the stream (--cluster.max_lag)",
                     std::to_string(status.pending) + " messages behind, at stream sequence " +
                         std::to_string(status.applied) + "; ready again once caught up"};
    return {};
}

}  // namespace declared
