#pragma once
// One subscriber. After the handshake it sends hello, then a snapshot or the
// events after `since`, then live events: in seq order, no gaps, no repeats.
// It holds a cursor into the hub's ring instead of a queue: when its shard
// wakes it, it reads what matches and frames it as one message of JSON lines.
// A subscriber too far behind is closed with the seq to resume from; it never
// slows anyone else.
//
// The WebSocket protocol is spoken here directly (ws_frame.hpp), not through
// Beast's stream: a message is a frame header plus the shared event bytes,
// written with one sendmsg, and completes at once when the socket has room,
// which at one event per message it nearly always has. Only a write the
// socket cannot take waits for it, one write in flight. Everything runs on
// the shard's strand.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/uio.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "feed/event_filter.hpp"
#include "feed/feed_context.hpp"
#include "feed/feed_session.hpp"
#include "feed/session_core.hpp"
#include "feed/start_point.hpp"
#include "feed/ws_frame.hpp"

namespace declared::feed {

class FeedShard;

class WebSocketSession : public FeedSession,
                         public net::Closable,
                         public SessionCore<WebSocketSession>,
                         public std::enable_shared_from_this<WebSocketSession> {
public:

    // socket: the upgraded connection; it moves to the shard's strand.
    WebSocketSession(boost::asio::ip::tcp::socket&& socket, FeedShard& shard, std::shared_ptr<FeedContext> ctx,
                     EventFilter filter, StartPoint start);
    ~WebSocketSession() override;

    // Answers the upgrade (101 and hello in one write) and starts reading.
    void run(std::size_t registry_id, std::string accept_key);  // registry_id: its place, taken by the endpoint

    // On the shard's strand: new events may be in the hub; the ticker's beat.
    void pull() override;
    void tick(Clock::time_point now) override;
    // Any thread.
    void close_gracefully() override;

private:
    friend class SessionCore<WebSocketSession>;
    static constexpr const char* kTakeoverWhat = "websocket takeover";
    static constexpr const char* kWriteWhat = "websocket write";
    enum class Message { none, opening, events, heartbeat, control, close };

    void open(const std::string& accept_key);
    bool in_flight() const { return writing_ != Message::none; }
    bool prepare_next();
    void write_own(std::string message, Message kind);
    void frame_events(std::string_view header);
    void written();

    void on_readable(boost::system::error_code ec);
    void on_frames(std::span<char> data);

    void begin_close(std::uint16_t code, std::string_view reason);

    ws::FrameReader reader_;

    Message writing_ = Message::none;   // the message in flight
    std::uint64_t cursor_ = 0;          // every event up to here has been examined
    std::uint64_t pending_cursor_ = 0;  // cursor once the message in flight is out
    std::vector<std::shared_ptr<const std::string>> batch_;  // events in the message in flight
    std::string control_;               // a pong waiting its turn (only the newest ping is answered)
    std::string close_frame_;           // the close frame waiting its turn
    std::uint8_t header_[ws::kMaxHeader];
    bool lagging_ = false;
    bool heartbeat_due_ = false;
    // A ping goes with the heartbeat; a subscriber that never reads never
    // answers it, and is dropped a pong timeout later even on a quiet night,
    // when its kernel buffers would take heartbeats for hours.
    bool ping_due_ = false, ping_out_ = false;
    Clock::time_point ping_sent_;
    bool close_sent_ = false, close_received_ = false;
};

}  // namespace declared::feed
