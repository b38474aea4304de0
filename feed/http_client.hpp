#pragma once
// One HTTP/1.1 exchange on a fresh loopback-or-LAN connection, as a coroutine
// on the caller's executor: resolve, connect, write, read (body limited),
// all within one deadline. Used by the upstream poll and by webhooks.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "feed/http_types.hpp"

namespace declared::feed {

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

}  // namespace declared::feed
