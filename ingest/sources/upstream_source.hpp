#pragma once
// The upstream poll: GET a JSON-lines feed every interval with If-None-Match,
// ingesting new and revised declarations (each line on its own: one bad
// record must not stall the rest). Errors back off exponentially and are
// logged at most once a minute, with a count of what was suppressed.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "ingest/ingest.hpp"
#include "ingest/sources/source.hpp"
#include "model/error.hpp"

namespace declared {

struct UpstreamOptions {
    std::string url;  // http://host[:port]/path
    std::chrono::milliseconds interval{10'000};
    std::string token;  // Bearer, optional
    std::chrono::milliseconds timeout{10'000};
    std::size_t max_body_bytes = 64u << 20;
};

class UpstreamSource : public Source {
public:
    UpstreamSource(boost::asio::io_context& ioc, Ingest& ingest, UpstreamOptions options);
    ~UpstreamSource() override;

    // A URL it cannot poll is an error (the daemon refuses to start).
    std::optional<Error> start() override;
    void stop() override;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace declared
