#pragma once
// The daemon's HTTP surface: POST /v1/declarations and POST /v1/desk/actions
// into the ingest strand, GET /v1/desk and the /desk page behind the desk
// token, and the read API (councils, scoreboard, events, health, metrics). Reads of the
// tally run on the ingest strand and are cached per seq, so pollers cost
// nothing between declarations.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/serve/access.hpp"
#include "ingest/ingest.hpp"
#include "ingest/metrics.hpp"
#include "ingest/sources/source_health.hpp"
#include "daemon/serve/query_routes.hpp"
#include "net/cors.hpp"
#include "feed/event_hub.hpp"
#include "feed/feed_endpoint.hpp"
#include "net/http_types.hpp"
#include "net/server.hpp"

namespace declared {

struct ApiOptions {
    AccessOptions access;  // no ingest tokens: ingestion over HTTP is refused
    std::size_t max_events_per_page = 10'000;
    net::CorsPolicy cors;                      // web.allow_origins
    std::string frame_ancestors = "'none'";     // web.frame_ancestors, for the page
    std::function<bool(std::string_view)> council_known;  // for filters; empty: any
    std::uint64_t cluster_max_lag = 1000;  // a follower further behind the stream is not ready
};

class ClusterNode;

class Api : public net::HttpHandler {
public:
    Api(ApiOptions options, Ingest& ingest, feed::EventHub& hub, Metrics& metrics, const GroupCommitter* committer,
        const SourceHealth* sources = nullptr);
    ~Api() override;

    void set_server(const net::Server* server) { server_ = server; }
    void set_feed(const feed::FeedEndpoint* feed) { feed_ = feed; }
    // Cluster mode: a follower relays POSTs to the primary through node, and
    // as primary this Api answers those relayed to it.
    void set_cluster(ClusterNode* node);
    std::optional<net::Response> admit(const net::Request& headers) override;
    bool trusted(const net::Request& headers) const override;
    void handle(net::Request&& req, net::Respond respond) override;
    // /readyz's answer; safe from any thread (the health port's too).
    net::Response readiness(const net::Request& req) const;

private:
    // The principal behind a request's token (an ingest source name, "read",
    // "metrics", or "" on an open route), or the refusal to send.
    struct Admission {
        std::string principal;
        std::optional<net::Response> refusal;
    };
    Admission authorize(const net::Request& headers) const;
    net::Response metrics_response(const net::Request& req) const;
    net::Response feed_without_upgrade(const net::Request& req) const;
    bool method_allowed(const net::Request& req, std::string_view path, boost::beast::http::verb allowed,
                        net::Respond& respond) const;
    void post_declarations(net::Request&& req, const std::string& source, net::Respond& respond);
    void post_desk_action(net::Request&& req, const std::string& desk, net::Respond& respond);
    bool relayed_to_primary(net::Request& req, const char* kind, const std::string& principal, net::Respond& respond);
    using Params = std::vector<std::pair<std::string, std::string>>;  // decoded query, in order
    bool route_read(const net::Request& req, const std::string& path, const Params& params, net::Respond& respond);
    void get_from_tally(const net::Request& req, std::string what, std::string id, net::Respond respond);
    std::string metrics_text() const;

    ApiOptions options_;
    Access access_;
    Ingest& ingest_;
    feed::EventHub& hub_;
    Metrics& metrics_;
    const GroupCommitter* committer_;
    const SourceHealth* sources_;
    const net::Server* server_ = nullptr;
    const feed::FeedEndpoint* feed_ = nullptr;
    ClusterNode* cluster_ = nullptr;
    struct Cache;
    std::shared_ptr<Cache> cache_;  // touched only on the ingest strand
    QueryRoutes queries_;           // filtered events and councils, CSV exports
};

}  // namespace declared
