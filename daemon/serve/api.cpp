#include "daemon/serve/api.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include "daemon/serve/cluster_node.hpp"
#include "daemon/serve/follower_readiness.hpp"
#include "daemon/serve/static_assets.hpp"
#include "ingest/batch_report.hpp"
#include "model/desk_action_json.hpp"

namespace declared {

namespace http = boost::beast::http;
using net::error_response;
using net::json_response;
using net::Request;
using net::Respond;
using net::Response;

struct Api::Cache {
    std::uint64_t seq = ~std::uint64_t{0};
    std::string scoreboard;
    std::string councils;
};

namespace {

std::string_view to_sv(boost::core::string_view s) { return {s.data(), s.size()}; }

// Marks a POST another node relayed here (daemon/serve/cluster_node.hpp).
constexpr const char* kRelayed = "Declared-Relayed";

Response batch_response(const Request& req, const BatchResult& r) {
    http::status status = http::status::ok;
    switch (r.status) {
        case BatchResult::Status::done: break;
        case BatchResult::Status::rejected: status = http::status::bad_request; break;
        case BatchResult::Status::conflict: status = http::status::conflict; break;
        case BatchResult::Status::busy:
            return error_response(req.version(), false, http::status::service_unavailable, "busy",
                                  "the journal queue is full; retry shortly (" + r.error.message() + ")");
        case BatchResult::Status::unavailable:
            return error_response(req.version(), false, http::status::service_unavailable,
                                  r.error.code.empty() ? "unavailable" : r.error.code, r.error.message());
    }
    return json_response(req.version(), req.keep_alive(), status, boost::json::serialize(batch_report(r)));
}

// 200 applied, 409 refused by what is held (nothing changed), 503 busy or
// unavailable; refusals in the API's error shape with path, expected, got.
Response desk_response(unsigned version, bool keep_alive, const DeskResult& r) {
    http::status status = http::status::ok;
    std::string_view word = "applied";
    switch (r.status) {
        case DeskResult::Status::done: break;
        case DeskResult::Status::rejected: status = http::status::conflict, word = "refused"; break;
        case DeskResult::Status::conflict: status = http::status::conflict, word = "refused_after_journal"; break;
        case DeskResult::Status::busy:
        case DeskResult::Status::unavailable: status = http::status::service_unavailable, word = "unavailable"; break;
    }
    boost::json::object body{{"status", word}};
    if (!r.received_at.empty()) body["received_at"] = r.received_at;
    if (r.status == DeskResult::Status::done) {
        boost::json::array seqs;
        for (auto s : r.seqs) seqs.push_back(s);
        body["seqs"] = std::move(seqs);
    } else {
        body["error"] = error_json(r.error);
    }
    return json_response(version, keep_alive, status, boost::json::serialize(body));
}

}  // namespace

Api::Api(ApiOptions options, Ingest& ingest, feed::EventHub& hub, Metrics& metrics, const GroupCommitter* committer,
         const SourceHealth* sources)
    : options_(std::move(options)),
      access_(options_.access),
      ingest_(ingest),
      hub_(hub),
      metrics_(metrics),
      committer_(committer),
      sources_(sources),
      cache_(std::make_shared<Cache>()),
      queries_(ingest, hub, options_.max_events_per_page, options_.council_known) {}

Api::~Api() = default;

Api::Admission Api::authorize(const Request& headers) const {
    const std::string_view target = to_sv(headers.target());
    const std::string_view path = target.substr(0, target.find('?'));
    Role role;
    if (headers.method() == http::verb::options) return {};  // a CORS preflight carries no credentials
    if (path == "/v1/declarations" && headers.method() == http::verb::post) role = Role::ingest;
    else if (path == "/v1/declarations") return {};  // answered 405 by handle()
    else if (path == "/v1/desk" || path.starts_with("/v1/desk/") || path == "/desk") role = Role::desk;
    else if (path == "/metrics") role = Role::metrics;
    else if (path.starts_with("/v1/")) role = Role::read;
    else return {};  // health, readiness and the page's own files: open
    if (access_.open(role)) return {};

    auto refuse = [&](http::status status, std::string_view code, std::string message) {
        return Admission{{}, error_response(headers.version(), false, status, code, message)};
    };
    std::string presented;
    std::string_view auth = headers[http::field::authorization];
    constexpr std::string_view kBearer = "Bearer ";
    if (!auth.empty()) {
        if (!auth.starts_with(kBearer))
            return refuse(http::status::unauthorized, "bad_authorization", "the Authorization header must be 'Bearer <token>'");
        presented = auth.substr(kBearer.size());
    } else if (role != Role::ingest && (role != Role::desk || headers.method() == http::verb::get)) {
        // A page or an embed may carry its token in the URL (a desk action never does).
        if (auto u = boost::urls::parse_origin_form(target))
            for (auto p : u->params())
                if (p.key == "token") presented = p.value;
    }
    if (presented.empty())
        return refuse(http::status::unauthorized, "no_token",
                      role == Role::ingest || headers.method() != http::verb::get
                          ? "send Authorization: Bearer <token>"
                          : "send Authorization: Bearer <token>, or token= in the query");
    if (auto who = access_.match(role, presented)) return {std::move(*who), std::nullopt};
    static constexpr std::string_view kMay[] = {"submit declarations", "read this night", "read the metrics",
                                                "act for the results desk (it needs a --desk-token)"};
    return refuse(http::status::forbidden, "bad_token",
                  fmt::format("that token may not {}", kMay[static_cast<int>(role)]));
}

std::optional<Response> Api::admit(const Request& headers) { return authorize(headers).refusal; }

bool Api::trusted(const Request& headers) const {
    std::string_view auth = headers[http::field::authorization];
    return auth.starts_with("Bearer ") && (access_.match(Role::ingest, auth.substr(7)).has_value() ||
                                            access_.match(Role::desk, auth.substr(7)).has_value());
}

// 200 while ingest works and every source does; else 503 saying why. A
// cluster standby or edge is ready while it follows the stream: it serves
// reads, and says how far behind it is.
Response Api::readiness(const Request& req) const {
    boost::json::object body{{"status", "ready"}};
    const auto cluster = cluster_ ? std::optional<ClusterStatus>(cluster_->status()) : std::nullopt;
    if (cluster && cluster->role != ClusterRole::primary) {
        if (auto why = follower_readiness(*cluster, options_.cluster_max_lag); !why.code.empty())
            body = {{"status", "not ready"}, {"reason", why.code}, {"message", why.message()}};
        body["applied_seq"] = cluster->applied;
        body["pending"] = cluster->pending;
    } else if (!ingest_.ready()) {
        auto why = ingest_.failure();
        body = {{"status", "not ready"}, {"reason", why.code}, {"message", why.message()}};
    }
    if (cluster) {
        body["role"] = to_string(cluster->role);
        if (!cluster->writer_node.empty()) body["writer"] = cluster->writer_node;
    }
    if (sources_) {
        boost::json::object broken;
        for (const auto& [name, problem] : sources_->all())
            if (!problem.empty()) broken[name] = problem;
        if (!broken.empty()) {
            if (body["status"] == "ready") body = {{"status", "not ready"}, {"reason", "source_broken"}};
            body["sources"] = std::move(broken);
        }
    }
    const bool ready = body["status"] == "ready";
    return json_response(req.version(), req.keep_alive(), ready ? http::status::ok : http::status::service_unavailable,
                         boost::json::serialize(body));
}

// /v1/feed reached without an Upgrade header: the feed is WebSocket only.
Response Api::feed_without_upgrade(const Request& req) const {
    auto res = error_response(req.version(), req.keep_alive(), http::status::upgrade_required, "upgrade_required",
                              "/v1/feed is a WebSocket endpoint: connect with a WebSocket client (docs/feed.md)");
    res.set(http::field::upgrade, "websocket");
    return res;
}

Response Api::metrics_response(const Request& req) const {
    Response res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.keep_alive(req.keep_alive());
    res.body() = metrics_text();
    res.prepare_payload();
    return res;
}

// True when req's method is allowed (GET also takes HEAD); else answers 405.
bool Api::method_allowed(const Request& req, std::string_view path, http::verb allowed, Respond& respond) const {
    const auto method = req.method();
    if (method == allowed || (allowed == http::verb::get && method == http::verb::head)) return true;
    auto res = error_response(req.version(), req.keep_alive(), http::status::method_not_allowed, "method_not_allowed",
                              fmt::format("{} does not accept {}", path, std::string(req.method_string())));
    res.set(http::field::allow, allowed == http::verb::get ? "GET, HEAD" : "POST");
    respond(std::move(res));
    return false;
}

void Api::handle(Request&& req, Respond respond) {
    ++metrics_.http_requests;
    auto admission = authorize(req);  // admit() refused what does not pass; this names who it is
    if (admission.refusal) return respond(std::move(*admission.refusal));
    auto target = boost::urls::parse_origin_form(to_sv(req.target()));
    if (!target)
        return respond(error_response(req.version(), req.keep_alive(), http::status::bad_request, "bad_target",
                                      "the request target is not a valid path: " + std::string(req.target())));
    const std::string path = target->path();
    Params params;
    for (auto p : target->params())
        if (p.key != "token") params.emplace_back(p.key, p.value);  // token= is read access, taken by authorize()
    respond = net::with_cors(options_.cors, req, std::move(respond));  // Access-Control-Allow-Origin, when allowed
    if (req.method() == http::verb::options)  // a CORS preflight
        return respond(options_.cors.preflight(
            req, path == "/v1/declarations" || path == "/v1/desk/actions" ? "POST" : "GET, HEAD"));
    if (path == "/v1/declarations") {
        if (method_allowed(req, path, http::verb::post, respond)) post_declarations(std::move(req), admission.principal, respond);
        return;
    }
    if (path == "/v1/desk/actions") {
        if (method_allowed(req, path, http::verb::post, respond)) post_desk_action(std::move(req), admission.principal, respond);
        return;
    }
    if (route_read(req, path, params, respond)) return;
    respond(error_response(req.version(), req.keep_alive(), http::status::not_found, "no_route",
                           fmt::format("no resource at {}; see /v1/councils, /v1/scoreboard, /v1/events", path)));
}

// Every GET route: the tally's state, the queries, health and metrics, and the
// page. False when no route has the path.
bool Api::route_read(const Request& req, const std::string& path, const Params& params, Respond& respond) {
    auto only_get = [&] { return method_allowed(req, path, http::verb::get, respond); };
    if (path == "/healthz") {
        if (only_get()) respond(json_response(req.version(), req.keep_alive(), http::status::ok, R"({"status":"ok"})"));
    } else if (path == "/readyz") {
        if (only_get()) respond(readiness(req));
    } else if (path == "/metrics") {
        if (only_get()) respond(metrics_response(req));
    } else if (path == "/v1/feed") {
        respond(feed_without_upgrade(req));
    } else if (queries_.takes(path, params)) {  // /v1/events, /v1/councils?..., /v1/export/*.csv, /v1/card
        if (only_get()) queries_.get(req, path, params, std::move(respond));
    } else if (path == "/v1/events/stream") {  // reached only when not a GET: the stream itself is the feed's
        if (only_get()) respond(error_response(req.version(), req.keep_alive(), http::status::method_not_allowed,
                                               "method_not_allowed", "/v1/events/stream is for GET"));
    } else if (path == "/v1/scoreboard" || path == "/v1/councils" || path == "/v1/desk") {
        if (only_get()) get_from_tally(req, path, "", std::move(respond));
    } else if (constexpr std::string_view kCouncil = "/v1/councils/"; path.starts_with(kCouncil) && path.size() > kCouncil.size()) {
        if (only_get()) get_from_tally(req, std::string(kCouncil), path.substr(kCouncil.size()), std::move(respond));
    } else if (const StaticAsset* asset = find_static_asset(path == "/desk" ? "/" : path)) {
        // The live results page (web/); /desk is the page in its desk mode, behind the desk token.
        if (only_get()) respond(static_response(req, *asset, options_.frame_ancestors));
    } else {
        return false;
    }
    return true;
}

void Api::set_cluster(ClusterNode* node) {
    cluster_ = node;
    if (!node) return;
    // Relayed by a follower, already authenticated there: the same steps as
    // a POST that came here, its answer sent back as status and body.
    node->serve_forwarded([this](ForwardedRequest r, ForwardDone done) {
        Request req{http::verb::post, r.kind == "desk" ? "/v1/desk/actions" : "/v1/declarations", 11};
        req.set(http::field::content_type, r.content_type);
        req.set(kRelayed, "1");
        req.keep_alive(false);
        req.body() = std::move(r.body);
        Respond respond = [done = std::move(done)](Response&& res) { done(res.result_int(), res.body().str()); };
        if (r.kind == "desk") post_desk_action(std::move(req), r.principal, respond);
        else post_declarations(std::move(req), r.principal, respond);
    });
}

// On a cluster follower: the POST goes to the primary and its answer comes back.
bool Api::relayed_to_primary(Request& req, const char* kind, const std::string& principal, Respond& respond) {
    // Relayed once at most: one that reaches a node no longer primary is refused there.
    if (!cluster_ || cluster_->primary() || req.count(kRelayed)) return false;
    cluster_->forward(ForwardedRequest{kind, principal, std::string(req[http::field::content_type]), std::move(req.body())},
                      [version = req.version(), keep_alive = req.keep_alive(), respond = std::move(respond)](int status, std::string body) {
                          respond(json_response(version, keep_alive, static_cast<http::status>(status), std::move(body)));
                      });
    return true;
}

void Api::post_declarations(Request&& req, const std::string& source, Respond& respond) {
    if (relayed_to_primary(req, "declarations", source, respond)) return;
    const auto version = req.version();
    const bool keep_alive = req.keep_alive();
    if (!ingest_.ready()) {
        auto why = ingest_.failure();
        return respond(error_response(version, false, http::status::service_unavailable, why.code, why.message()));
    }
    std::string_view type = req[http::field::content_type];
    type = type.substr(0, type.find(';'));
    Ingest::Format format;
    if (type == "application/json") format = Ingest::Format::single;
    else if (type == "application/x-ndjson" || type == "application/jsonl" || type == "application/json-lines")
        format = Ingest::Format::lines;
    else
        return respond(error_response(version, keep_alive, http::status::unsupported_media_type, "unsupported_media_type",
                                      fmt::format("Content-Type must be application/json (one declaration) or "
                                                  "application/x-ndjson (JSON lines), got '{}'",
                                                  type)));
    ingest_.submit(std::move(req.body()), format, source,
                   [version, keep_alive, respond = std::move(respond)](BatchResult r) {
                       Request shape;
                       shape.version(version);
                       shape.keep_alive(keep_alive);
                       respond(batch_response(shape, r));
                   });
}

void Api::post_desk_action(Request&& req, const std::string& desk, Respond& respond) {
    if (relayed_to_primary(req, "desk", desk, respond)) return;
    const auto version = req.version();
    const bool keep_alive = req.keep_alive();
    std::string_view type = req[http::field::content_type];
    type = type.substr(0, type.find(';'));
    if (type != "application/json")
        return respond(error_response(version, keep_alive, http::status::unsupported_media_type, "unsupported_media_type",
                                      fmt::format("Content-Type must be application/json, got '{}'", type)));
    auto action = parse_desk_action(req.body());
    if (!action.ok())
        return respond(json_response(version, keep_alive, http::status::bad_request,
                                     boost::json::serialize(boost::json::object{{"error", error_json(action.error)}})));
    action.value->by = desk;
    ingest_.submit_desk(std::move(*action.value), [version, keep_alive, respond = std::move(respond)](DeskResult r) {
        respond(desk_response(version, keep_alive, r));
    });
}

void Api::get_from_tally(const Request& req, std::string what, std::string id, Respond respond) {
    ingest_.read([cache = cache_, what = std::move(what), id = std::move(id), version = req.version(),
                  keep_alive = req.keep_alive(), respond = std::move(respond)](const Tally& tally) {
        if (what == "/v1/desk") return respond(json_response(version, keep_alive, http::status::ok, tally.desk_json()));
        if (what == "/v1/councils/") {
            std::string body = tally.council_json(id);
            if (body.empty())
                return respond(error_response(version, keep_alive, http::status::not_found, "unknown_council",
                                              fmt::format("no council '{}' on the card; /v1/councils lists them", id)));
            return respond(json_response(version, keep_alive, http::status::ok, std::move(body)));
        }
        if (cache->seq != tally.last_seq()) {
            cache->seq = tally.last_seq();
            cache->scoreboard = tally.summary_json();
            cache->councils = tally.councils_json();
        }
        respond(json_response(version, keep_alive, http::status::ok,
                              what == "/v1/scoreboard" ? cache->scoreboard : cache->councils));
    });
}

std::string Api::metrics_text() const {
    std::string out;
    render_counter(out, "declared_declarations_accepted_total", "Declarations applied (new or corrections).", metrics_.accepted);
    render_counter(out, "declared_declarations_corrections_total", "Declarations that replaced an earlier revision.", metrics_.corrections);
    render_counter(out, "declared_declarations_duplicate_total", "Declarations already held (same revision, same content).", metrics_.duplicates);
    render_counter(out, "declared_declarations_stale_total", "Declarations older than the revision held.", metrics_.stale);
    out += "# HELP declared_declarations_rejected_total Declarations refused, by reason.\n"
           "# TYPE declared_declarations_rejected_total counter\n";
    for (const auto& [reason, n] : metrics_.rejected_by_reason())
        out += fmt::format("declared_declarations_rejected_total{{reason=\"{}\"}} {}\n", reason, n);
    render_counter(out, "declared_desk_actions_total", "Results-desk actions applied.", metrics_.desk_actions);
    render_counter(out, "declared_events_total", "Events published.", metrics_.events);
    render_gauge(out, "declared_last_seq", "Newest event sequence number.", static_cast<double>(hub_.last_seq()));
    render_counter(out, "declared_http_requests_total", "HTTP requests handled.", metrics_.http_requests);
    render_gauge(out, "declared_ingest_open", "1 while ingest accepts declarations (0: starting, stopping, or the journal failed).",
                 ingest_.ready() ? 1 : 0);
    if (sources_) {
        auto all = sources_->all();
        if (!all.empty()) {
            out += "# HELP declared_source_up 1 while an ingestion source works, 0 while it reports a problem.\n"
                   "# TYPE declared_source_up gauge\n";
            for (const auto& [name, problem] : all)
                out += fmt::format("declared_source_up{{source=\"{}\"}} {}\n", name, problem.empty() ? 1 : 0);
        }
    }
    metrics_.ingest_latency.render(out, "declared_ingest_latency_seconds", "Receipt to durable acknowledgement.");
    if (committer_) {
        auto s = committer_->stats();
        metrics_.journal_sync.render(out, "declared_journal_fsync_seconds", "Journal sync latency.");
        render_counter(out, "declared_journal_records_total", "Records made durable.", s.records);
        render_gauge(out, "declared_journal_queued_records", "Records waiting for the journal.",
                     static_cast<double>(committer_->queued_records()));
    }
    if (feed_) {
        const auto& f = feed_->context();
        render_gauge(out, "declared_feed_subscribers", "Open feed subscribers (WebSocket and event stream).", static_cast<double>(f.sessions.size()));
        render_counter(out, "declared_feed_subscribers_total", "Feed subscribers accepted (WebSocket and event stream).", f.metrics.subscribers_total);
        render_counter(out, "declared_feed_refused_total", "Subscriptions refused at the limit.", f.metrics.refused);
        render_counter(out, "declared_feed_messages_total", "Feed messages written (WebSocket messages, event-stream blocks).", f.metrics.messages);
        render_counter(out, "declared_feed_deliveries_total", "Events written to subscribers.", f.metrics.deliveries);
        render_counter(out, "declared_feed_closed_lagging_total", "Subscribers closed for falling behind.", f.metrics.closed_lagging);
        render_counter(out, "declared_feed_closed_stuck_total", "Subscribers dropped for not reading.", f.metrics.closed_stuck);
    }
    if (server_) {
        const auto& ctx = server_->context();
        render_gauge(out, "declared_connections", "Open HTTP connections.", static_cast<double>(ctx.sessions.size()));
        render_counter(out, "declared_connections_total", "Connections accepted.", ctx.connections_total);
        render_counter(out, "declared_connections_refused_total", "Connections refused at the limit.", ctx.connections_refused);
    }
    metrics_.render_extra(out);  // webhooks
    return out;
}

}  // namespace declared
