#pragma once
// StreamFollower: a standby's or an edge's live copy of the stream. An
// ordered consumer (in sequence, no acks, recreated by libnats after a gap
// or a lost server) delivers every message from a start sequence on, to a
// callback, one at a time, on a libnats thread. A sequence that is not the
// next one is never passed on: the follower stops and reports it, so a node
// never serves events from a stream with a hole in it.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cluster/nats_connection.hpp"
#include "cluster/stream_setup.hpp"
#include "model/error.hpp"

namespace declared::cluster {

struct FollowedMessage {
    std::uint64_t seq = 0;
    std::string subject;
    std::string bytes;
    std::uint64_t pending = 0;  // messages after this one the stream already holds
};

class StreamFollower {
public:
    using OnMessage = std::function<void(FollowedMessage)>;
    using OnBroken = std::function<void(Error)>;

    // Follows spec's stream from sequence `from` on. Either callback runs on a
    // libnats thread; on_broken at most once, and no message after it.
    static Result<std::unique_ptr<StreamFollower>> start(const NatsConnection& conn, const StreamSpec& spec,
                                                         std::uint64_t from, OnMessage on_message, OnBroken on_broken);
    ~StreamFollower();  // stop()
    StreamFollower(const StreamFollower&) = delete;
    StreamFollower& operator=(const StreamFollower&) = delete;

    // No callback runs once this returns (bounded wait for the one running).
    void stop();

    std::uint64_t last_seq() const { return last_.load(); }  // the last message handed on (from - 1 before any)
    std::uint64_t pending() const { return pending_.load(); }
    bool broken() const { return broken_.load(); }

private:
    StreamFollower(std::string where, std::uint64_t from, OnMessage on_message, OnBroken on_broken);
    static void on_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
    void take(natsMsg* msg);

    std::string where_;
    OnMessage on_message_;
    OnBroken on_broken_;
    natsSubscription* sub_ = nullptr;
    std::atomic<std::uint64_t> last_;
    std::atomic<std::uint64_t> pending_{0};
    std::atomic<bool> broken_{false};
    std::atomic<bool> stopping_{false};
};

}  // namespace declared::cluster
