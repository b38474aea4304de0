#include <catch2/catch.hpp>

#include "daemon/serve/follower_readiness.hpp"

using namespace declared;

TEST_CASE("follower readiness: ready while current, not while far behind, and not once the stream is lost", "[serve][cluster]") {
    ClusterStatus s;
    s.role = ClusterRole::edge;
    s.applied = 5000;

    s.pending = 0;
    CHECK(follower_readiness(s, 1000).code.empty());
    s.pending = 1000;  // at the limit is still current enough
    CHECK(follower_readiness(s, 1000).code.empty());

    s.pending = 1001;
    const auto behind = follower_readiness(s, 1000);
    CHECK(behind.code == "cluster_behind");
    CHECK(behind.expected == "at most 1000 messages behind the stream (--cluster.max_lag)");
    CHECK(behind.got == "1001 messages behind, at stream sequence 5000; ready again once caught up");

    s.pending = 3;  // caught up again
    CHECK(follower_readiness(s, 1000).code.empty());

    // A lost stream outranks the lag: the node will not catch up on its own.
    s.pending = 5000;
    s.broken = Error{"cluster_stream_gap", "stream NIGHT, sequence 7", "sequence 6", "sequence 7"};
    CHECK(follower_readiness(s, 1000).code == "cluster_stream_gap");
}
