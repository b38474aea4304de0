#pragma once
// Test harness: a small synchronous Server-Sent Events client over a raw
// loopback socket, parsing the stream as the HTML standard's EventSource does
// (fields event, data, id, retry; comments; a blank line dispatches). Every
// read has a timeout. The response head is parsed with Beast's parser.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace declared::testing {

struct SseBlock {
    std::string event;                 // "" for the default ("message")
    std::string data;                  // data lines joined by \n
    std::optional<std::string> id;     // when the block had an id field
    std::vector<std::string> comments; // ": ..." lines, without the colon
    std::optional<std::string> retry;
    bool dispatches() const { return !data.empty(); }  // an EventSource fires an event for it
};

struct SseRead {
    enum class Kind { block, ended, timeout };
    Kind kind = Kind::ended;
    SseBlock block;
};

class SseClient {
public:
    SseClient() = default;
    ~SseClient();
    SseClient(const SseClient&) = delete;
    SseClient& operator=(const SseClient&) = delete;

    // GET target on 127.0.0.1:port and reads the response head. True when it
    // is 200 text/event-stream; otherwise status() and body() say what came.
    // rcvbuf > 0 sets SO_RCVBUF before connecting.
    bool connect(int port, const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(5), int rcvbuf = 0);
    SseRead read(std::chrono::milliseconds timeout);

    int status() const { return status_; }
    const std::string& body() const { return body_; }  // a refusal's body
    std::string header(const std::string& lower_name) const;
    int fd() const { return fd_; }
    // The id of the newest dispatched-or-not block that set one (what an
    // EventSource sends back as Last-Event-ID).
    const std::string& last_event_id() const { return last_event_id_; }

private:
    bool fill(std::chrono::steady_clock::time_point deadline);  // false on end or timeout
    int fd_ = -1;
    int status_ = 0;
    std::map<std::string, std::string> headers_;
    std::string body_;
    std::string buffer_;
    std::string last_event_id_;
    bool ended_ = false;
};

}  // namespace declared::testing
