#include "daemon/upstream_source.hpp"

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

#include "daemon/async_submit.hpp"
#include "daemon/logging.hpp"

namespace declared {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using net::awaitable;
using net::use_awaitable;
using tcp = net::ip::tcp;

struct UpstreamSource::Impl : std::enable_shared_from_this<Impl> {
    Impl(net::io_context& ioc, Ingest& in, UpstreamOptions o)
        : ingest(in), options(std::move(o)), strand(net::make_strand(ioc)), timer(strand), resolver(strand),
          log_limit(std::chrono::minutes(1)) {}

    Ingest& ingest;
    UpstreamOptions options;
    net::strand<net::io_context::executor_type> strand;
    net::steady_timer timer;
    tcp::resolver resolver;
    std::string host, port, target;
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
            co_await timer.async_wait(net::redirect_error(use_awaitable, ec));
        }
    }

    awaitable<std::optional<Error>> poll_once() {
        boost::system::error_code ec;
        auto where = [&](std::string what) { return Error{"upstream_unreachable", options.url, "a reachable upstream", std::move(what)}; };
        auto endpoints = co_await resolver.async_resolve(host, port, net::redirect_error(use_awaitable, ec));
        if (ec) co_return where("resolve: " + ec.message());
        beast::tcp_stream stream(strand);
        stream.expires_after(options.timeout);
        co_await stream.async_connect(endpoints, net::redirect_error(use_awaitable, ec));
        if (ec) co_return where("connect: " + ec.message());

        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, host);
        req.set(http::field::user_agent, "declared");
        req.set(http::field::accept, "application/x-ndjson, application/json");
        if (!etag.empty()) req.set(http::field::if_none_match, etag);
        if (!options.token.empty()) req.set(http::field::authorization, "Bearer " + options.token);
        co_await http::async_write(stream, req, net::redirect_error(use_awaitable, ec));
        if (ec) co_return where("write: " + ec.message());

        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(options.max_body_bytes);
        co_await http::async_read(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
        if (ec) co_return where("read: " + ec.message());
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

        auto res = parser.release();
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

UpstreamSource::UpstreamSource(net::io_context& ioc, Ingest& ingest, UpstreamOptions options)
    : impl_(std::make_shared<Impl>(ioc, ingest, std::move(options))) {}

UpstreamSource::~UpstreamSource() { stop(); }

std::optional<Error> UpstreamSource::start() {
    auto url = boost::urls::parse_uri(impl_->options.url);
    if (!url || url->scheme() != "http" || url->host().empty())
        return Error{"bad_upstream_url", "upstream.url", "an http://host[:port]/path URL (put TLS upstreams behind a local proxy)",
                     impl_->options.url};
    impl_->host = url->host();
    impl_->port = url->has_port() ? std::string(url->port()) : "80";
    impl_->target = url->encoded_target().empty() ? "/" : std::string(url->encoded_target());
    net::co_spawn(impl_->strand, impl_->run(), net::detached);
    spdlog::info("upstream {}: polling every {} ms", impl_->options.url, impl_->options.interval.count());
    return std::nullopt;
}

void UpstreamSource::stop() {
    net::post(impl_->strand, [impl = impl_] {
        impl->stopped = true;
        impl->timer.cancel();
        impl->resolver.cancel();
    });
}

}  // namespace declared
