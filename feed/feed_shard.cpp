#include "feed/feed_shard.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>


namespace declared::feed {

namespace asio = boost::asio;

FeedShard::FeedShard(asio::io_context& ioc) : strand_(asio::make_strand(ioc)) {}

FeedShard::~FeedShard() = default;

void FeedShard::wake() {
    // Coalesce: many publishes before the strand gets round to it are one pass.
    if (wake_pending_.exchange(true)) return;
    asio::post(strand_, [self = shared_from_this()] {
        self->wake_pending_ = false;
        // Sessions never leave the list during a pass (removal is posted),
        // and one that joins meanwhile is not live yet.
        for (std::size_t i = 0; i < self->sessions_.size(); ++i) self->sessions_[i]->pull();
    });
}

void FeedShard::tick() {
    asio::post(strand_, [self = shared_from_this()] {
        const auto now = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < self->sessions_.size(); ++i) self->sessions_[i]->tick(now);
    });
}

void FeedShard::add(std::shared_ptr<FeedSession> s) { sessions_.push_back(std::move(s)); }

void FeedShard::remove(const FeedSession* s) {
    // Order does not matter: swap with the last.
    auto it = std::find_if(sessions_.begin(), sessions_.end(), [s](const auto& p) { return p.get() == s; });
    if (it == sessions_.end()) return;
    std::swap(*it, sessions_.back());
    sessions_.pop_back();
}

}  // namespace declared::feed
