#include "ingest/sources/upstream_source.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "ingest/async_submit.hpp"
#include "ingest/logging.hpp"
#include "net/http_client.hpp"

namespace declared {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

struct UpstreamSource::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& ioc, Ingest& in, UpstreamOptions o)
        : ingest(in), options(std::move(o)), strand(asio::make_strand(ioc)), timer(strand), resolver(strand),
          log_limit(std::chrono::minutes(1)) {}

    Ingest& ingest;
    UpstreamOptions options;
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;
    tcp::resolver resolver;
    net::HttpTarget to;
    std::string etag;
    RateLimit log_limit;
    std::uint64_t failures = 0;
    bool stopped = false;

    awaitable<void> run() {
        auto self = shared_from_this();
        auto delay = options.interval;
        const auto max_delay = std::max<std::chrono::milliseconds>(options.interval * 8, std::chrono::seconds(60));
        while (!stopped) {
            auto error = co_await poll_once();
            if (error) {
                ++failures;
                if (log_limit.allow())
                    spdlog::error("upstream {}: {} ({} failures so far, {} not logged)", options.url, error->message(),
                                  failures, log_limit.suppressed());
                delay = std::min(delay * 2, max_delay);
            } else {
                if (failures) spdlog::info("upstream {}: recovered after {} failures", options.url, failures);
                failures = 0;
                delay = options.interval;
            }
            boost::system::error_code ec;
            timer.expires_after(delay);
            co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
        }
    }

    awaitable<std::optional<Error>> poll_once() {
        net::Request req{http::verb::get, to.target, 11};
        req.set(http::field::user_agent, "declared");
        req.set(http::field::accept, "application/x-ndjson, application/json");
        if (!etag.empty()) req.set(http::field::if_none_match, etag);
        if (!options.token.empty()) req.set(http::field::authorization, "Bearer " + options.token);
        auto exchange = co_await net::http_exchange(resolver, to, std::move(req), options.timeout, options.max_body_bytes);
        if (!exchange.response)
            co_return Error{"upstream_unreachable", options.url, "a reachable upstream", exchange.error};

        auto& res = *exchange.response;
        if (res.result() == http::status::not_modified) co_return std::nullopt;
        if (res.result() != http::status::ok)
            co_return Error{"upstream_status", options.url, "200 or 304", std::to_string(res.result_int())};
        std::string new_etag(res[http::field::etag]);
        BatchResult r = co_await async_submit(ingest, std::move(res.body()), Ingest::Format::lines, "upstream",
                                              Ingest::Mode::each_line, use_awaitable);
        if (r.status == BatchResult::Status::busy || r.status == BatchResult::Status::unavailable)
            co_return Error{"daemon_busy", options.url, "room in the journal queue", "busy: will fetch again"};
        etag = new_etag;  // only once what it names has been taken in
        std::size_t accepted = 0, refused = 0;
        for (const auto& l : r.lines) {
            if (l.verdict == Verdict::fresh || l.verdict == Verdict::correction) ++accepted;
            if (l.verdict == Verdict::rejected || l.verdict == Verdict::conflict) {
                ++refused;
                if (log_limit.allow())
                    spdlog::warn("upstream {}: line {} refused: {}", options.url, l.line, l.error.message());
            }
        }
        if (accepted || refused) spdlog::info("upstream {}: {} accepted, {} refused", options.url, accepted, refused);
        co_return std::nullopt;
    }
};

UpstreamSource::UpstreamSource(asio::io_context& ioc, Ingest& ingest, UpstreamOptions options)
    : impl_(std::make_shared<Impl>(ioc, ingest, std::move(options))) {}

UpstreamSource::~UpstreamSource() { stop(); }

std::optional<Error> UpstreamSource::start() {
    auto to = net::parse_http_url(impl_->options.url);
    if (!to)
        return Error{"bad_upstream_url", "upstream.url", "an http://host[:port]/path URL (put TLS upstreams behind a local proxy)",
                     impl_->options.url};
    impl_->to = *to;
    asio::co_spawn(impl_->strand, impl_->run(), asio::detached);
    spdlog::info("upstream {}: polling every {} ms", impl_->options.url, impl_->options.interval.count());
    return std::nullopt;
}

void UpstreamSource::stop() {
    asio::post(impl_->strand, [impl = impl_] {
        impl->stopped = true;
        impl->timer.cancel();
        impl->resolver.cancel();
    });
}

}  // namespace declared
