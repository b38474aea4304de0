#pragma once
// The reads desks take beyond the live state: /v1/events filtered like the
// feed (councils, regions, types), /v1/councils filtered by region and
// status, and the CSV exports (/v1/export/results.csv, councils.csv). Reads
// of the tally run on the ingest strand and are cached per seq, as the rest
// of the read API's are. And /v1/card: the card's parties (with colours) and
// councils (with hex map positions) for pages and graphics.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/ingest.hpp"
#include "feed/event_hub.hpp"
#include "net/http_types.hpp"

namespace declared {

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded query, in order

class QueryRoutes {
public:
    QueryRoutes(Ingest& ingest, const feed::EventHub& hub, std::size_t max_events_per_page,
                std::function<bool(std::string_view)> council_known);

    // The paths answered here: /v1/events, /v1/councils with a query, /v1/export/*, /v1/card.
    bool takes(std::string_view path, const QueryParams& params) const;
    void get(const net::Request& req, const std::string& path, const QueryParams& params, net::Respond respond);

private:
    struct EventPage {
        std::vector<std::shared_ptr<const std::string>> events;
        std::uint64_t last = 0, oldest = 0;
        bool truncated = false;
    };
    EventPage event_page(std::uint64_t since, std::size_t limit, const feed::EventFilter& filter) const;
    void events(const net::Request& req, const QueryParams& params, net::Respond& respond);
    void councils(const net::Request& req, const QueryParams& params, net::Respond respond);
    void export_csv(const net::Request& req, const std::string& path, net::Respond respond);
    void card(const net::Request& req, net::Respond respond);

    Ingest& ingest_;
    const feed::EventHub& hub_;
    std::size_t max_events_per_page_;
    std::function<bool(std::string_view)> council_known_;
    struct Cache;
    std::shared_ptr<Cache> cache_;  // touched only on the ingest strand
};

}  // namespace declared
