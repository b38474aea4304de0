#pragma once
// GET /v1/feed: a WebSocket subscription; GET /v1/events/stream: the same
// subscription as Server-Sent Events. The daemon has checked read access on
// the headers first; here the query, the origin and the limits are vetted, in
// one step with taking the subscriber's place. Both kinds share the shards,
// the subscriber limits and the counters. The protocols are in docs/feed.md.
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include <boost/beast/http/status.hpp>

#include "feed/feed_context.hpp"
#include "net/server.hpp"
#include "feed/start_point.hpp"

namespace boost::urls {
class url_view;
}

namespace declared::feed {

class FeedShard;

class FeedEndpoint : public net::UpgradeHandler {
public:
    // Subscribers are spread over options.shards strands of ioc.
    FeedEndpoint(boost::asio::io_context& ioc, EventHub& hub, FeedOptions options);
    ~FeedEndpoint() override;

    bool takes(const net::Request& req) const override;  // a WebSocket upgrade, or GET /v1/events/stream
    std::optional<net::Response> upgrade(net::Request&& req, const std::string& peer, const TakeSocket& take) override;

    // Close every subscriber with 1001 and the seq to resume from.
    void stop();
    // This node can no longer serve the night without a gap: close every
    // subscriber with 1013 and the seq to resume from (elsewhere), and refuse
    // new ones (503 stream_lost). Any thread; for good.
    void lose_stream();
    const FeedContext& context() const { return *ctx_; }

private:
    struct Parsed;
    struct Query;
    std::optional<net::Response> parse(const net::Request& req, Parsed& out) const;
    std::optional<net::Response> check_handshake(const net::Request& req, std::string_view path) const;
    std::optional<net::Response> read_query(const net::Request& req, const boost::urls::url_view& target, bool stream,
                                       Query& q) const;
    StartPoint start_point(const Query& q) const;
    net::Response refuse(const net::Request& req, bool stream, boost::beast::http::status status, std::string_view code,
                    std::string message) const;

    std::shared_ptr<FeedContext> ctx_;
    std::vector<std::shared_ptr<FeedShard>> shards_;
    std::vector<std::size_t> hub_ids_;
    std::atomic<std::size_t> next_shard_{0};
};

}  // namespace declared::feed
