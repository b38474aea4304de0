#pragma once
// Test harness: a small synchronous WebSocket client (Boost.Beast) for the
// feed's integration tests. Every operation has a timeout (async operations
// run on a private io_context for at most that long), and a close from the
// server is reported with its code and reason rather than thrown.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace declared::testing {

struct WsRead {
    enum class Kind { message, closed, timeout, error };
    Kind kind = Kind::error;
    std::string data;         // the message (kind == message)
    bool binary = false;
    int close_code = 0;       // kind == closed: the code and reason the server sent
    std::string close_reason;
    std::string error;        // kind == error / timeout: what happened
};

class WsClient {
public:
    WsClient();
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    // Connects to 127.0.0.1:port and performs the handshake for target (a
    // path with its query). rcvbuf > 0 sets SO_RCVBUF before connecting (a
    // small window, for subscribers that fall behind). False on failure, with
    // error() and, when the server answered with HTTP, handshake_status().
    bool connect(int port, const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(5), int rcvbuf = 0);

    // One message, or how the connection ended. After a timeout the client
    // is unusable (the read was cancelled).
    WsRead read(std::chrono::milliseconds timeout);

    bool send(std::string_view data, bool binary = false,
              std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Sends a close frame and waits for the server's (normal close).
    bool close(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Drops the TCP connection without a close frame.
    void drop();

    bool is_open() const;
    int handshake_status() const { return handshake_status_; }
    const std::string& handshake_body() const { return handshake_body_; }
    const std::string& error() const { return error_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int handshake_status_ = 0;
    std::string handshake_body_;
    std::string error_;
};

}  // namespace declared::testing
