#pragma once
// One subscriber. After the handshake it sends hello, then a snapshot or the
// events after `since`, then live events: in seq order, no gaps, no repeats.
// It holds a cursor into the hub's ring instead of a queue: when woken it reads
// what matches, frames it as one message of JSON lines, and writes it, one
// write in flight. A subscriber too far behind is closed with the seq to
// resume from; it never slows anyone else. Everything runs on its strand.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "feed/event_filter.hpp"
#include "feed/feed_context.hpp"
#include "feed/http_types.hpp"

namespace declared::feed {

struct StartPoint {
    bool snapshot = true;     // no usable since: send a snapshot first
    std::uint64_t since = 0;  // with snapshot == false: events after this
    std::string notice;       // why a requested since was not honoured
};

class WebSocketSession : public Subscriber, public Closable, public std::enable_shared_from_this<WebSocketSession> {
public:
    WebSocketSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<FeedContext> ctx, EventFilter filter,
                     StartPoint start);
    ~WebSocketSession() override;

    void run(Request&& upgrade);
    void wake() override;
    void tick() override;
    void close_gracefully() override;

private:
    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void pull();
    void write_events(std::string header);
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void close_with(std::uint16_t code, std::string reason);

    // A plain socket, not beast::tcp_stream: the websocket stream has its own
    // timeouts, and tcp_stream's timers and shared state cost about 1 KB per
    // subscriber, most of the way to the 4 KB an idle subscriber may take.
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
    std::shared_ptr<FeedContext> ctx_;
    EventFilter filter_;
    StartPoint start_;
    // Clients have nothing to say: what they send is read in small pieces
    // and dropped, so an idle subscriber holds no read buffer on the heap.
    std::array<char, 16> read_scratch_;

    enum class Stage { handshake, hello, live, closing } stage_ = Stage::handshake;
    std::uint64_t cursor_ = 0;          // every event up to here has been examined
    std::uint64_t pending_cursor_ = 0;  // cursor once the write in flight completes
    std::vector<std::shared_ptr<const std::string>> batch_;  // events in the message being written
    std::vector<boost::asio::const_buffer> buffers_;
    std::string own_;                   // hello, snapshot header or heartbeat text being written
    bool writing_ = false;
    bool lagging_ = false;
    std::atomic<bool> wake_pending_{false};
    std::chrono::steady_clock::time_point write_started_, last_sent_;
    std::size_t hub_id_ = 0;
    std::size_t registry_id_ = 0;
};

}  // namespace declared::feed
