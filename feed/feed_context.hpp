#pragma once
// What every feed session (WebSocket or event stream) shares: the hub, the options, the registry used for
// the subscriber limit and shutdown, and counters for /metrics.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "net/cors.hpp"
#include "feed/event_hub.hpp"
#include "net/session_registry.hpp"

namespace declared::feed {

struct FeedOptions {
    std::string election;  // the card's election id, said in hello
    bool test = false;     // rehearsal data, said in hello
    std::size_t max_subscribers = 15000;
    std::size_t max_subscribers_per_address = 1000;  // 0: no limit per address
    // A subscriber this many events behind the newest while a write is
    // pending is closed (4008) with the seq to resume from.
    std::uint64_t max_lag = 100'000;
    // A write that has not finished in this time (the peer stopped reading)
    // ends the connection.
    std::chrono::milliseconds write_timeout{10'000};
    // A heartbeat's ping unanswered this long: the subscriber reads nothing.
    std::chrono::milliseconds pong_timeout{30'000};
    std::chrono::milliseconds heartbeat{5'000};  // when idle
    std::size_t max_message_events = 4096;       // events framed into one message
    std::size_t max_message_bytes = 1 << 20;
    std::size_t max_client_message = 1024;       // bytes a client may send in one message
    std::size_t shards = 1;  // strands subscribers are spread over: one per I/O thread
    // Other origins whose pages may follow the event stream and open the
    // feed; when set, a WebSocket upgrade from any other origin is refused.
    net::CorsPolicy cors;
    // Council ids a subscriber may filter on; empty function: any.
    std::function<bool(std::string_view)> council_known;
};

struct FeedMetrics {
    std::atomic<std::uint64_t> subscribers_total{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> messages{0};
    std::atomic<std::uint64_t> deliveries{0};  // events written to subscribers
    std::atomic<std::uint64_t> closed_lagging{0};
    std::atomic<std::uint64_t> closed_stuck{0};
};

struct FeedContext {
    FeedContext(EventHub& h, FeedOptions o) : hub(h), options(std::move(o)) {}
    EventHub& hub;
    FeedOptions options;
    net::SessionRegistry sessions;
    FeedMetrics metrics;
    // Set once this node can no longer serve the night without a gap (a
    // cluster follower that lost the stream): sessions close with 1013 and
    // their resume point instead of 1001, and new ones are refused.
    std::atomic<bool> stream_lost{false};

    std::uint16_t closing_code() const { return stream_lost ? 1013 : 1001; }
    const char* closing_reason() const {
        return stream_lost ? "this node lost the stream; reconnect to another node" : "server shutting down; reconnect";
    }
};

}  // namespace declared::feed
