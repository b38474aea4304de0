#pragma once
// The one outgoing HTTP client: one HTTP/1.1 exchange on a fresh connection,
// as a coroutine on the caller's executor: resolve, connect, write, read
// (body limited), all within one deadline. Used by the upstream poll and by
// webhooks, and (blocking, on an io_context of its own) by the tools.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http_types.hpp"

namespace declared::net {

// Where an http:// URL points; nullopt for anything else (https, no host).
struct HttpTarget {
    std::string host, port, target;
};
std::optional<HttpTarget> parse_http_url(std::string_view url);

struct HttpExchange {
    std::optional<ClientResponse> response;  // set when an answer was read
    std::string error;                 // else what failed: "connect: Connection refused"
};

// req's Host header is set from `to`. The resolver must live on the caller's executor.
boost::asio::awaitable<HttpExchange> http_exchange(boost::asio::ip::tcp::resolver& resolver, const HttpTarget& to,
                                                   Request req, std::chrono::milliseconds timeout,
                                                   std::size_t max_body_bytes);

// The same exchange for a caller with no event loop: blocks until it is done.
HttpExchange http_fetch(const HttpTarget& to, Request req, std::chrono::milliseconds timeout,
                        std::size_t max_body_bytes);

}  // namespace declared::net
