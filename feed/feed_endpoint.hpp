#pragma once
// GET /v1/feed: vets the upgrade request (query, token, limits) and starts a
// WebSocket session for it. The protocol is in docs/feed.md.
#include <memory>
#include <optional>

#include "feed/feed_context.hpp"
#include "feed/server.hpp"

namespace declared::feed {

class FeedEndpoint : public UpgradeHandler {
public:
    FeedEndpoint(EventHub& hub, FeedOptions options);
    ~FeedEndpoint() override;

    std::optional<Response> vet(const Request& req) override;
    void upgrade(boost::asio::ip::tcp::socket&& socket, Request&& req) override;

    // Close every subscriber with 1001 and the seq to resume from.
    void stop();
    const FeedContext& context() const { return *ctx_; }

private:
    struct Parsed;
    std::optional<Response> parse(const Request& req, Parsed& out) const;

    std::shared_ptr<FeedContext> ctx_;
};

}  // namespace declared::feed
