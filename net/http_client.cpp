#include "net/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace declared::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::optional<HttpTarget> parse_http_url(std::string_view url) {
    auto u = boost::urls::parse_uri(url);
    if (!u || u->scheme() != "http" || u->host().empty()) return std::nullopt;
    return HttpTarget{u->host(), u->has_port() ? std::string(u->port()) : "80",
                      u->encoded_target().empty() ? "/" : std::string(u->encoded_target())};
}

asio::awaitable<HttpExchange> http_exchange(tcp::resolver& resolver, const HttpTarget& to, Request req,
                                           std::chrono::milliseconds timeout, std::size_t max_body_bytes) {
    boost::system::error_code ec;
    auto with = [&](const char* step) { return HttpExchange{std::nullopt, std::string(step) + ": " + ec.message()}; };
    auto endpoints = co_await resolver.async_resolve(to.host, to.port, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return with("resolve");
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(timeout);
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return with("connect");
    req.set(http::field::host, to.host);
    req.prepare_payload();
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return with("write");
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return with("read");
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return HttpExchange{parser.release(), {}};
}

HttpExchange http_fetch(const HttpTarget& to, Request req, std::chrono::milliseconds timeout,
                        std::size_t max_body_bytes) {
    asio::io_context ioc(1);
    tcp::resolver resolver(ioc);
    HttpExchange out;
    asio::co_spawn(ioc, http_exchange(resolver, to, std::move(req), timeout, max_body_bytes),
                   [&](std::exception_ptr e, HttpExchange r) {
                       out = e ? HttpExchange{std::nullopt, "exchange: failed"} : std::move(r);
                   });
    ioc.run();
    return out;
}

}  // namespace declared::net
