#pragma once
// Test harness: a tiny synchronous HTTP/1.1 client over raw loopback sockets,
// so tests can send well-formed requests and malformed bytes alike. Responses
// are parsed with Beast's parser. Every socket operation has a timeout.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace declared::testing {

struct HttpResponse {
    int status = 0;                             // 0: no response (closed, reset or timed out)
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// Connects fd (a TCP socket, options already set) to 127.0.0.1:port.
bool connect_loopback(int fd, int port);

// One TCP connection to 127.0.0.1:port.
class Connection {
public:
    explicit Connection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool connected() const { return fd_ >= 0; }
    // False once the peer has closed or reset the connection.
    bool send(std::string_view bytes);
    // Reads one response; status 0 when the connection ended (or timed out) first.
    HttpResponse read_response();
    // Waits for the peer to close: true when it did within timeout (any unread
    // data is discarded).
    bool wait_closed(std::chrono::milliseconds timeout);
    void shutdown_write();
    // A small kernel receive buffer, so a reader that does not read stops the
    // sender soon (for tests of readers that never read).
    void shrink_receive_buffer();

private:
    int fd_ = -1;
    std::string pending_;  // bytes read past the last response
};

// Reads and discards what arrives on fd until the peer closes or resets it:
// true when it did within timeout. Counts the bytes read into *bytes if given.
bool drain_until_closed(int fd, std::chrono::milliseconds timeout, std::size_t* bytes = nullptr);

// Serialises a request: "METHOD target HTTP/1.1", Host, the given headers,
// Content-Length when body is non-empty or the method is POST.
std::string format_request(std::string_view method, std::string_view target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           std::string_view body = {}, bool keep_alive = false);

// One request on a new connection.
HttpResponse request(int port, std::string_view method, std::string_view target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     std::string_view body = {}, std::chrono::milliseconds timeout = std::chrono::seconds(20));

HttpResponse get(int port, std::string_view target);
// POST /v1/declarations with a bearer token (none when token is empty).
HttpResponse post_declarations(int port, std::string_view body, std::string_view token,
                               std::string_view content_type = "application/x-ndjson");

}  // namespace declared::testing
