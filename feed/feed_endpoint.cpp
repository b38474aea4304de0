#include "feed/feed_endpoint.hpp"

#include <algorithm>
#include <charconv>

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include "feed/feed_shard.hpp"
#include "feed/sse_session.hpp"
#include "feed/websocket_session.hpp"
#include "feed/ws_frame.hpp"

namespace declared::feed {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kFeedPath = "/v1/feed";
constexpr std::string_view kStreamPath = "/v1/events/stream";

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::optional<std::uint64_t> parse_seq(std::string_view v) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || v.empty()) return std::nullopt;
    return n;
}

}  // namespace

struct FeedEndpoint::Query {
    std::string councils, regions, types, election;
    std::optional<std::uint64_t> since;
};

struct FeedEndpoint::Parsed {
    bool stream = false;  // the event stream (SSE), not the WebSocket feed
    EventFilter filter;
    StartPoint start;
};

bool FeedEndpoint::takes(const net::Request& req) const {
    if (boost::beast::websocket::is_upgrade(req)) return true;
    return req.method() == http::verb::get &&
           path_of(std::string_view(req.target().data(), req.target().size())) == kStreamPath;
}

FeedEndpoint::FeedEndpoint(boost::asio::io_context& ioc, EventHub& hub, FeedOptions options)
    : ctx_(std::make_shared<FeedContext>(hub, std::move(options))) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, ctx_->options.shards); ++i) {
        shards_.push_back(std::make_shared<FeedShard>(ioc));
        hub_ids_.push_back(hub.subscribe(shards_.back()));
    }
}

FeedEndpoint::~FeedEndpoint() {
    for (auto id : hub_ids_) ctx_->hub.unsubscribe(id);
}

// A refusal in the API's error shape; a page on an allowed origin can read
// why its stream was refused.
net::Response FeedEndpoint::refuse(const net::Request& req, bool stream, http::status status, std::string_view code,
                              std::string message) const {
    auto r = net::error_response(req.version(), false, status, code, message);
    if (stream) ctx_->options.cors.apply(req, r);
    return r;
}

// The WebSocket handshake itself (RFC 6455 4.2.1); the session answers it.
std::optional<net::Response> FeedEndpoint::check_handshake(const net::Request& req, std::string_view path) const {
    const auto& cors = ctx_->options.cors;
    if (path != kFeedPath)
        return refuse(req, false, http::status::not_found, "no_route", "WebSocket subscriptions are at /v1/feed");
    if (req[http::field::sec_websocket_version] != "13") {
        auto r = refuse(req, false, http::status::upgrade_required, "bad_handshake",
                        "this server speaks WebSocket version 13 (Sec-WebSocket-Version: 13)");
        r.set(http::field::sec_websocket_version, "13");
        return r;
    }
    if (std::string_view key = req[http::field::sec_websocket_key]; key.size() != 24 || !key.ends_with("=="))
        return refuse(req, false, http::status::bad_request, "bad_handshake",
                      "Sec-WebSocket-Key must be 16 bytes in base64 (24 characters)");
    // Browsers send the page's origin; other clients may send none. With
    // web.allow_origins set, a page elsewhere may not subscribe.
    if (std::string_view origin = req[http::field::origin];
        cors.enabled() && !origin.empty() && !cors.allows(origin) && !net::same_origin(req))
        return refuse(req, false, http::status::forbidden, "origin_not_allowed",
                      "the origin '" + std::string(origin.substr(0, 120)) + "' is not in this daemon's web.allow_origins");
    return std::nullopt;
}

// The subscription's parameters, and Last-Event-ID for the event stream.
std::optional<net::Response> FeedEndpoint::read_query(const net::Request& req, const boost::urls::url_view& target, bool stream,
                                                 Query& q) const {
    auto bad = [&](std::string message) {
        return refuse(req, stream, http::status::bad_request, "bad_query", std::move(message));
    };
    for (auto p : target.params()) {
        const std::string& v = p.value;
        if (p.key == "since") {
            q.since = parse_seq(v);
            if (!q.since) return bad("since must be a non-negative integer (a seq), got '" + v.substr(0, 48) + "'");
        } else if (p.key == "councils") q.councils = v;
        else if (p.key == "regions") q.regions = v;
        else if (p.key == "types") q.types = v;
        else if (p.key == "token") continue;  // read access, checked with the headers (daemon/access)
        else if (p.key == "election") q.election = v;
        else
            return bad("unknown parameter '" + std::string(p.key).substr(0, 48) +
                       "'; use since, councils, regions, types, election, token");
    }
    // An EventSource reconnecting sends the id of the last event it had: that,
    // not the since= of the URL it first opened, is where it resumes.
    if (std::string_view last = req["Last-Event-ID"]; stream && !last.empty()) {
        q.since = parse_seq(last);
        if (!q.since)
            return bad("Last-Event-ID must be a seq (the id of an event), got '" + std::string(last.substr(0, 48)) + "'");
    }
    return std::nullopt;
}

// Where the subscriber starts. The hub may move on before the session reads
// it; the cursor, not this check, keeps the stream gap-free.
StartPoint FeedEndpoint::start_point(const Query& q) const {
    const auto& hub = ctx_->hub;
    const auto last = hub.last_seq(), oldest = hub.oldest_seq();
    if (!q.election.empty() && q.election != ctx_->options.election)
        return {true, 0, "since belongs to election '" + q.election.substr(0, 64) + "', this feed is '" +
                             ctx_->options.election + "': here is a snapshot"};
    if (!q.since) return {true, 0, {}};
    if (*q.since > last)
        return {true, 0, "since=" + std::to_string(*q.since) + " is ahead of this feed (newest seq " +
                             std::to_string(last) + "): another election or a reset journal; here is a snapshot"};
    if (oldest > 0 && *q.since + 1 < oldest)
        return {true, 0, "since=" + std::to_string(*q.since) + " is older than the oldest event kept (" +
                             std::to_string(oldest) + "): here is a snapshot"};
    return {false, *q.since, {}};
}

std::optional<net::Response> FeedEndpoint::parse(const net::Request& req, Parsed& out) const {
    const std::string_view raw(req.target().data(), req.target().size());
    out.stream = path_of(raw) == kStreamPath;
    auto target = boost::urls::parse_origin_form(raw);
    if (!target)
        return refuse(req, out.stream, http::status::bad_request, "bad_target", "the request target is not a valid path");
    if (!out.stream)
        if (auto refusal = check_handshake(req, target->path())) return refusal;
    Query q;
    if (auto refusal = read_query(req, *target, out.stream, q)) return refusal;
    auto filter = EventFilter::parse(q.councils, q.regions, q.types);
    if (!filter.ok()) return refuse(req, out.stream, http::status::bad_request, "bad_filter", filter.error.message());
    if (ctx_->options.council_known)
        for (const auto& c : filter.value->councils())
            if (!ctx_->options.council_known(c))
                return refuse(req, out.stream, http::status::bad_request, "bad_filter",
                              "councils: no council '" + c.substr(0, 64) + "' on the card (see /v1/councils)");
    out.filter = std::move(*filter.value);
    out.start = start_point(q);
    return std::nullopt;
}

std::optional<net::Response> FeedEndpoint::upgrade(net::Request&& req, const std::string& peer, const TakeSocket& take) {
    Parsed p;
    if (auto refusal = parse(req, p)) return refusal;
    if (ctx_->stream_lost)
        return refuse(req, p.stream, http::status::service_unavailable, "stream_lost",
                      "this node lost the cluster stream and serves nothing live (see /readyz); subscribe to another node");
    const auto place = ctx_->sessions.add({}, peer, net::RegistryLimits{ctx_->options.max_subscribers,
                                                                   ctx_->options.max_subscribers_per_address, 0});
    if (!place.id) {
        ++ctx_->metrics.refused;
        return net::error_response(req.version(), false, http::status::service_unavailable, "too_many_subscribers",
                              "the feed is at its subscriber limit (in all, or from this address); retry shortly");
    }
    auto& shard = *shards_[next_shard_++ % shards_.size()];
    if (p.stream) {
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
            "X-Accel-Buffering: no\r\nConnection: close\r\nServer: declared\r\n";
        head += ctx_->options.cors.header_lines(req);
        head += "\r\n";
        auto session = std::make_shared<SseSession>(take(), shard, ctx_, std::move(p.filter), std::move(p.start));
        ctx_->sessions.attach(place.id, session);
        session->run(place.id, std::move(head));
        return std::nullopt;
    }
    auto session = std::make_shared<WebSocketSession>(take(), shard, ctx_, std::move(p.filter), std::move(p.start));
    ctx_->sessions.attach(place.id, session);
    session->run(place.id, ws::accept_key(req[http::field::sec_websocket_key]));
    return std::nullopt;
}

void FeedEndpoint::stop() { ctx_->sessions.close_all(); }

void FeedEndpoint::lose_stream() {
    ctx_->stream_lost = true;  // new subscriptions are refused from here on
    ctx_->sessions.close_all();
}

}  // namespace declared::feed
