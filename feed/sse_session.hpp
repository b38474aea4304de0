#pragma once
// One subscriber of the event stream (GET /v1/events/stream, Server-Sent
// Events): for a browser's EventSource, `curl -N`, or a proxy that does not
// pass WebSockets. The same start (hello, then a snapshot or the events after
// `since`), order and filters as the WebSocket feed, and the same machinery:
// a cursor into the hub's ring, the shard's strand and wake-ups, the shared
// event bytes written with one sendmsg per message, the lag close and the
// stuck-write end. Only the framing differs:
//
//   retry: 3000            \  the opening: hello as a named event
//   event: hello            |
//   data: {"type":"hello",...}
//
//   event: snapshot         \  when there is no usable since: one event whose
//   id: M                    | data lines are the snapshot header then the
//   data: {"type":"snapshot",...}   events, as the WebSocket snapshot message
//   data: {event}
//
//   id: N                   \  each event, its seq as the id, so an
//   data: {event}            / EventSource resumes with Last-Event-ID
//
//   : heartbeat            \  a comment (no event fires), with the seq every
//   id: N                   / matching event up to which has been sent
//
//   event: close           \  before the server ends the stream: why, and
//   data: {"type":"close","code":4008,"reason":"...","since":N}
//
// Everything runs on the shard's strand.
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

namespace declared::feed {

class FeedShard;

class SseSession : public FeedSession,
                   public net::Closable,
                   public SessionCore<SseSession>,
                   public std::enable_shared_from_this<SseSession> {
public:
    // socket: the connection the GET came on; it moves to the shard's strand.
    SseSession(boost::asio::ip::tcp::socket&& socket, FeedShard& shard, std::shared_ptr<FeedContext> ctx,
               EventFilter filter, StartPoint start);
    ~SseSession() override;

    // Writes the response head (status line and headers, ending in a blank
    // line) and the hello in one write, then streams.
    void run(std::size_t registry_id, std::string response_head);  // registry_id: its place, taken by the endpoint

    void pull() override;
    void tick(Clock::time_point now) override;
    void close_gracefully() override;  // any thread

private:
    friend class SessionCore<SseSession>;
    static constexpr const char* kTakeoverWhat = "event stream takeover";
    static constexpr const char* kWriteWhat = "event stream write";
    enum class Message { none, opening, events, heartbeat, close };

    void open(const std::string& head);
    bool in_flight() const { return writing_ != Message::none; }
    bool prepare_next();
    void write_own(std::string text, Message kind);
    void frame_snapshot(std::string header, std::uint64_t seq);
    void frame_events();
    void written();
    void on_readable(boost::system::error_code ec);
    void begin_close(int code, std::string reason, std::uint64_t since);


    Message writing_ = Message::none;
    std::uint64_t cursor_ = 0;          // every event up to here has been examined
    std::uint64_t pending_cursor_ = 0;  // cursor once the message in flight is out
    std::vector<EventHub::Numbered> batch_;                    // events in the message in flight
    std::vector<std::shared_ptr<const std::string>> snapshot_;  // the snapshot's, while it is written
    std::string close_message_;  // the close event waiting its turn
    bool lagging_ = false;
    bool heartbeat_due_ = false;
};

}  // namespace declared::feed
