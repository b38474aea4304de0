#pragma once
// GET /v1/feed: vets the upgrade request (query, token, origin, limits) and
// starts a WebSocket session for it. GET /v1/events/stream: the same
// subscription as Server-Sent Events. Both share the shards, the subscriber
// limit and the counters. The protocols are in docs/feed.md.
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "feed/feed_context.hpp"
#include "feed/server.hpp"

namespace declared::feed {

class FeedShard;

class FeedEndpoint : public UpgradeHandler {
public:
    // Subscribers are spread over options.shards strands of ioc.
    FeedEndpoint(boost::asio::io_context& ioc, EventHub& hub, FeedOptions options);
    ~FeedEndpoint() override;

    bool takes(const Request& req) const override;  // a WebSocket upgrade, or GET /v1/events/stream
    std::optional<Response> vet(const Request& req) override;
    void upgrade(boost::asio::ip::tcp::socket&& socket, Request&& req) override;

    // Close every subscriber with 1001 and the seq to resume from.
    void stop();
    const FeedContext& context() const { return *ctx_; }

private:
    struct Parsed;
    std::optional<Response> parse(const Request& req, Parsed& out) const;

    std::shared_ptr<FeedContext> ctx_;
    std::vector<std::shared_ptr<FeedShard>> shards_;
    std::vector<std::size_t> hub_ids_;
    std::atomic<std::size_t> next_shard_{0};
};

}  // namespace declared::feed
