#pragma once
// The request and response types every HTTP handler speaks, and the limits
// the server enforces before a handler sees anything.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/shared_body.hpp"

namespace declared::net {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<SharedBody>;  // what the server writes
using ClientResponse = boost::beast::http::response<boost::beast::http::string_body>;  // what a client reads

// Called exactly once per request, from any thread.
using Respond = std::function<void(Response&&)>;

struct ServerLimits {
    std::size_t max_body_bytes = 1 << 20;  // 413 beyond
    std::size_t max_header_bytes = 8 << 10;  // 431 beyond
    std::size_t max_connections = 1024;  // beyond: the oldest idle connection is closed, or 503
    std::size_t max_connections_per_address = 256;  // likewise per peer address; 0: no limit
    std::size_t reserved_connections = 64;  // beyond max_connections, for trusted requests only
    std::chrono::milliseconds request_timeout{10'000};  // whole request must arrive in this time (408)
    std::chrono::milliseconds idle_timeout{60'000};  // keep-alive connection with no request
    // Each connection's kernel send buffer (SO_SNDBUF; 0: the kernel's
    // autotuning, up to tcp_wmem's 4 MB). Bounded, a client that never reads
    // costs the daemon this much copying and kernel memory, not megabytes.
    std::size_t send_buffer_bytes = 256 << 10;
};

// Routes requests; the server knows nothing of what they mean.
class HttpHandler {
public:
    virtual ~HttpHandler() = default;
    // Called with the request's headers only, before any of its body is read:
    // a refusal here (e.g. a missing token) is sent and the connection closed,
    // so a refused body is never buffered. Called on the connection's strand.
    virtual std::optional<Response> admit(const Request& headers) = 0;
    // Whether a request may use a reserved connection (the server is full):
    // one that proves a trusted role, e.g. an ingest token.
    virtual bool trusted(const Request& headers) const = 0;
    virtual void handle(Request&& req, Respond respond) = 0;
};

// A JSON response with the usual headers; body must already be JSON.
Response json_response(unsigned version, bool keep_alive, boost::beast::http::status status, std::string body);
// {"error": {"code", "message", ...}} in one shape for every refusal.
Response error_response(unsigned version, bool keep_alive, boost::beast::http::status status, std::string_view code,
                        std::string_view message);

}  // namespace declared::net
