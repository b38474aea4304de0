#pragma once
// The subscribers served on one strand. The hub wakes a shard, not each
// subscriber: one post per shard per publish, then a plain loop of calls on
// the strand every session of the shard runs on. A post per subscriber (its
// handler allocation, executor dispatch and strand queue) was most of the
// user-space cost of a delivery at one event per message.
//
// The shard owns its sessions until they end: a session removes itself,
// on the strand, and is destroyed once nothing else holds it.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "feed/event_hub.hpp"
#include "feed/feed_session.hpp"

namespace declared::feed {

class FeedSession;

class FeedShard : public Subscriber, public std::enable_shared_from_this<FeedShard> {
public:
    using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
    explicit FeedShard(boost::asio::io_context& ioc);
    ~FeedShard() override;

    const Executor& executor() const { return strand_; }

    // From the hub, on any thread: schedule one pass over the sessions.
    void wake() override;
    void tick() override;

    // On the strand.
    void add(std::shared_ptr<FeedSession> s);
    void remove(const FeedSession* s);

private:
    Executor strand_;
    std::vector<std::shared_ptr<FeedSession>> sessions_;
    std::atomic<bool> wake_pending_{false};
};

}  // namespace declared::feed
