#include "daemon/serve/query_routes.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "daemon/serve/csv_export.hpp"
#include "feed/event_filter.hpp"

namespace declared {

namespace http = boost::beast::http;
using net::error_response;
using net::json_response;
using net::Request;
using net::Respond;
using net::Response;

struct QueryRoutes::Cache {
    std::uint64_t seq = ~std::uint64_t{0};
    boost::json::array councils;  // by_council of the summary
    std::uint64_t csv_seq = ~std::uint64_t{0};
    std::string results_csv, councils_csv;
    std::string card;  // /v1/card: fixed for the night
};

namespace {

constexpr std::string_view kExport = "/v1/export/";
constexpr std::array<std::string_view, 5> kStatuses{"unknown", "undecided", "secured", "noc_certain", "final"};

std::optional<std::uint64_t> parse_u64(std::string_view s) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

}  // namespace

QueryRoutes::QueryRoutes(Ingest& ingest, const feed::EventHub& hub, std::size_t max_events_per_page,
                         std::function<bool(std::string_view)> council_known)
    : ingest_(ingest),
      hub_(hub),
      max_events_per_page_(max_events_per_page),
      council_known_(std::move(council_known)),
      cache_(std::make_shared<Cache>()) {}

bool QueryRoutes::takes(std::string_view path, const QueryParams& params) const {
    return path == "/v1/events" || (path == "/v1/councils" && !params.empty()) || path.starts_with(kExport) ||
           path == "/v1/card";
}

void QueryRoutes::get(const Request& req, const std::string& path, const QueryParams& params, Respond respond) {
    if (path == "/v1/events") return events(req, params, respond);
    if (path == "/v1/councils") return councils(req, params, std::move(respond));
    if (path == "/v1/card") return card(req, std::move(respond));
    export_csv(req, path, std::move(respond));
}

// The events after since that match, at most limit of them. A filtered
// page that is not full examined everything up to the last_seq it says: the
// next page starts there (a full one: after its last event).
QueryRoutes::EventPage QueryRoutes::event_page(std::uint64_t since, std::size_t limit,
                                               const feed::EventFilter& filter) const {
    EventPage page;
    if (filter.everything()) {
        auto slice = hub_.since(since, limit);
        page.last = slice.last_seq;
        page.oldest = slice.oldest_seq;
        page.truncated = slice.truncated;
        for (auto& e : slice.events) page.events.push_back(std::move(e.json));
        return page;
    }
    page.oldest = hub_.oldest_seq();
    page.truncated = page.oldest > 0 && since + 1 < page.oldest;
    std::uint64_t cursor = since;
    std::vector<Event> got;
    while (got.size() < limit) {
        const auto next = hub_.read(cursor, filter, 65536, ~std::size_t{0}, got);
        if (next == cursor) break;
        cursor = next;
    }
    if (got.size() >= limit) {
        got.resize(limit);
        page.last = hub_.last_seq();
    } else {
        page.last = std::max(cursor, since);
    }
    for (auto& e : got) page.events.push_back(std::move(e.json));
    return page;
}

// GET /v1/events?since=N&limit=M[&councils=&regions=&types=]
void QueryRoutes::events(const Request& req, const QueryParams& params, Respond& respond) {
    auto refuse = [&](std::string_view code, std::string message) {
        respond(error_response(req.version(), req.keep_alive(), http::status::bad_request, code, message));
    };
    std::uint64_t since = 0;
    std::size_t limit = 1000;
    std::string councils, regions, types;
    for (const auto& [key, value] : params) {
        if (key == "since" || key == "limit") {
            auto v = parse_u64(value);
            if (!v) return refuse("bad_query", fmt::format("{} must be a non-negative integer, got '{}'", key, value.substr(0, 48)));
            if (key == "since") since = *v;
            else limit = static_cast<std::size_t>(std::min<std::uint64_t>(*v, max_events_per_page_));
        } else if (key == "councils") councils = value;
        else if (key == "regions") regions = value;
        else if (key == "types") types = value;
        else
            return refuse("bad_query", fmt::format("unknown parameter '{}'; use since, limit, councils, regions, types",
                                                   key.substr(0, 48)));
    }
    auto filter = feed::EventFilter::parse(councils, regions, types);
    if (!filter.ok()) return refuse("bad_filter", filter.error.message());
    if (council_known_)
        for (const auto& c : filter.value->councils())
            if (!council_known_(c))
                return refuse("bad_filter", "councils: no council '" + c.substr(0, 64) + "' on the card (see /v1/councils)");

    EventPage page = event_page(since, limit, *filter.value);
    // Events are already serialized: the page shares their bytes, it does not copy them.
    auto res = json_response(req.version(), req.keep_alive(), http::status::ok, "");
    res.body().head = fmt::format(R"({{"since":{},"last_seq":{},"oldest_seq":{},"truncated":{},"events":[)", since,
                                  page.last, page.oldest, page.truncated ? "true" : "false");
    res.body().items = std::move(page.events);
    res.body().tail = "]}\n";
    res.prepare_payload();
    respond(std::move(res));
}

// GET /v1/councils?regions=A,B&status=secured,final
void QueryRoutes::councils(const Request& req, const QueryParams& params, Respond respond) {
    const auto version = req.version();
    const bool keep_alive = req.keep_alive();
    std::set<std::string> regions, statuses;
    for (const auto& [key, value] : params) {
        if (key == "region" || key == "regions") {
            auto r = feed::split_list(value);
            regions.insert(r.begin(), r.end());
        } else if (key == "status") {
            for (auto& s : feed::split_list(value)) {
                if (std::find(kStatuses.begin(), kStatuses.end(), s) == kStatuses.end())
                    return respond(error_response(
                        version, keep_alive, http::status::bad_request, "bad_filter",
                        fmt::format("status: expected among unknown, undecided, secured, noc_certain, final, got '{}'",
                                    s.substr(0, 48))));
                statuses.insert(s);
            }
        } else {
            return respond(error_response(version, keep_alive, http::status::bad_request, "bad_query",
                                          fmt::format("unknown parameter '{}'; use regions (or region) and status",
                                                      key.substr(0, 48))));
        }
    }
    ingest_.read([cache = cache_, regions = std::move(regions), statuses = std::move(statuses), version, keep_alive,
                  respond = std::move(respond)](const Tally& tally) {
        std::set<std::string> known;
        for (const auto& c : tally.card().councils) known.insert(c.region);
        for (const auto& r : regions)
            if (!known.count(r))
                return respond(error_response(version, keep_alive, http::status::bad_request, "bad_filter",
                                              fmt::format("regions: no council on the card is in '{}'; the regions are {}",
                                                          r.substr(0, 64), join(known))));
        if (cache->seq != tally.last_seq()) {
            cache->seq = tally.last_seq();
            cache->councils = boost::json::parse(tally.summary_json()).as_object().at("by_council").as_array();
        }
        boost::json::array out;
        for (const auto& c : cache->councils) {
            const auto& o = c.as_object();
            if (!regions.empty() && !regions.count(std::string(o.at("region").as_string()))) continue;
            if (!statuses.empty() && !statuses.count(std::string(o.at("status").as_string()))) continue;
            out.push_back(c);
        }
        boost::json::object body{{"last_seq", tally.last_seq()}, {"councils", std::move(out)}};
        respond(json_response(version, keep_alive, http::status::ok, boost::json::serialize(body)));
    });
}

// GET /v1/card: what a page needs to draw the night before any result.
void QueryRoutes::card(const Request& req, Respond respond) {
    ingest_.read([cache = cache_, version = req.version(), keep_alive = req.keep_alive(),
                  respond = std::move(respond)](const Tally& tally) {
        if (cache->card.empty()) {
            const Card& c = tally.card();
            boost::json::object election{{"id", c.election.id}, {"name", c.election.name},
                                         {"date", c.election.date}, {"test", c.election.test}};
            boost::json::array parties;
            for (const auto& p : c.parties) {
                boost::json::object po{{"code", p.code}, {"name", p.name}, {"can_control", p.can_control}};
                if (p.colour.empty()) po["colour"] = nullptr;
                else po["colour"] = p.colour;
                parties.push_back(std::move(po));
            }
            boost::json::array councils;
            for (const auto& co : c.councils) {
                boost::json::object o{{"id", co.id}, {"name", co.name}, {"ons", co.ons}, {"region", co.region},
                                      {"size", co.size}};
                if (co.hex) o["hex"] = boost::json::object{{"q", co.hex->q}, {"r", co.hex->r}};
                else o["hex"] = nullptr;
                councils.push_back(std::move(o));
            }
            cache->card = boost::json::serialize(boost::json::object{
                {"election", std::move(election)}, {"parties", std::move(parties)}, {"layout", "odd-r"},
                {"councils", std::move(councils)}});
        }
        respond(json_response(version, keep_alive, http::status::ok, cache->card));
    });
}

// GET /v1/export/results.csv, /v1/export/councils.csv
void QueryRoutes::export_csv(const Request& req, const std::string& path, Respond respond) {
    const std::string name = path.substr(kExport.size());
    if (name != "results.csv" && name != "councils.csv")
        return respond(error_response(req.version(), req.keep_alive(), http::status::not_found, "no_route",
                                      fmt::format("no export '{}'; there are /v1/export/results.csv and "
                                                  "/v1/export/councils.csv",
                                                  name.substr(0, 64))));
    const bool head = req.method() == http::verb::head;
    ingest_.read([cache = cache_, hub = &hub_, name, head, version = req.version(), keep_alive = req.keep_alive(),
                  respond = std::move(respond)](const Tally& tally) {
        if (cache->csv_seq != tally.last_seq()) {
            cache->csv_seq = tally.last_seq();
            cache->results_csv = results_csv(tally, [hub](std::uint64_t seq) {
                auto s = hub->since(seq - 1, 1);
                return s.events.empty() || s.events.front().seq != seq ? std::string() : event_at(*s.events.front().json);
            });
            cache->councils_csv = councils_csv(tally);
        }
        Response res{http::status::ok, version};
        res.set(http::field::server, "declared");
        res.set(http::field::content_type, "text/csv; charset=utf-8; header=present");
        res.set(http::field::content_disposition, "attachment; filename=\"" + name + "\"");
        res.set(http::field::cache_control, "no-store");
        res.set("X-Declared-Last-Seq", std::to_string(tally.last_seq()));
        res.keep_alive(keep_alive);
        const auto& body = name == "results.csv" ? cache->results_csv : cache->councils_csv;
        if (head) res.content_length(body.size());
        else {
            res.body() = body;
            res.prepare_payload();
        }
        respond(std::move(res));
    });
}

}  // namespace declared
