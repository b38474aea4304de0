#include "feed/http_client.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace declared::feed {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::optional<HttpTarget> parse_http_url(std::string_view url) {
    auto u = boost::urls::parse_uri(url);
    if (!u || u->scheme() != "http" || u->host().empty()) return std::nullopt;
    return HttpTarget{u->host(), u->has_port() ? std::string(u->port()) : "80",
                      u->encoded_target().empty() ? "/" : std::string(u->encoded_target())};
}

net::awaitable<HttpExchange> http_exchange(tcp::resolver& resolver, const HttpTarget& to, Request req,
                                           std::chrono::milliseconds timeout, std::size_t max_body_bytes) {
    boost::system::error_code ec;
    auto with = [&](const char* step) { return HttpExchange{std::nullopt, std::string(step) + ": " + ec.message()}; };
    auto endpoints = co_await resolver.async_resolve(to.host, to.port, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return with("resolve");
    beast::tcp_stream stream(co_await net::this_coro::executor);
    stream.expires_after(timeout);
    co_await stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return with("connect");
    req.set(http::field::host, to.host);
    req.prepare_payload();
    co_await http::async_write(stream, req, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return with("write");
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return with("read");
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return HttpExchange{parser.release(), {}};
}

}  // namespace declared::feed
