#pragma once
// What a feed shard drives: a subscriber on the shard's strand, whatever it
// speaks (WebSocket, Server-Sent Events). The shard calls pull() when new
// events are in the hub and tick() on the feed's one timer; everything else
// about the subscriber is its own.
#include <chrono>

namespace declared::feed {

class FeedSession {
public:
    using Clock = std::chrono::steady_clock;
    virtual ~FeedSession() = default;
    // On the shard's strand: new events may be in the hub.
    virtual void pull() = 0;
    // On the shard's strand: the ticker's beat (heartbeats, stuck writes).
    virtual void tick(Clock::time_point now) = 0;
};

}  // namespace declared::feed
