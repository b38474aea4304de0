#include "feed/websocket_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "net/fail.hpp"
#include "feed/feed_shard.hpp"
#include "feed/socket_send.hpp"

namespace declared::feed {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr char kNewline = '\n';
constexpr std::size_t kKeptEvents = 8;  // batch capacity kept between messages
constexpr std::chrono::seconds kCloseTimeout{5};  // for the peer's answer to our close frame
constexpr int kReadRounds = 16;                   // reads per readiness before others get a turn

boost::system::error_code last_error() { return {errno, boost::system::system_category()}; }

}  // namespace

WebSocketSession::WebSocketSession(tcp::socket&& socket, FeedShard& shard, std::shared_ptr<FeedContext> ctx,
                                   EventFilter filter, StartPoint start)
    : SessionCore(std::move(socket), shard, std::move(ctx), std::move(filter), std::move(start)),
      reader_(ctx_->options.max_client_message) {}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::run(std::size_t registry_id, std::string accept_key) {
    enter(registry_id);
    asio::dispatch(socket_.get_executor(),
                  [self = shared_from_this(), key = std::move(accept_key)] { self->open(key); });
}

// On the strand: joins the shard, answers the upgrade and starts reading.
void WebSocketSession::open(const std::string& accept_key) {
    if (!join_shard()) return;  // the socket could not be taken over

    const std::string hello = hello_json(*ctx_, start_);
    std::string().swap(start_.notice);
    // The 101 and the hello go out in one write.
    std::string opening = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: " + accept_key + "\r\nServer: declared\r\n\r\n";
    opening += ws::frame(ws::Opcode::text, hello);
    write_own(std::move(opening), Message::opening);
    wait_readable();
    write_loop();
}

void WebSocketSession::pull() {
    if (stage_ != Stage::live) return;
    if (writing_ != Message::none) {
        if (!lagging_ && ctx_->hub.last_seq() - pending_cursor_ > ctx_->options.max_lag) lagging_ = true;
        return;
    }
    write_loop();
}

// Chooses the next message: a close frame, a pong, the snapshot, events,
// a heartbeat, a ping. False when nothing is due.
bool WebSocketSession::prepare_next() {
    if (stage_ == Stage::done) return false;
    pending_cursor_ = cursor_;
    if (!close_frame_.empty()) return write_own(std::exchange(close_frame_, {}), Message::close), true;
    if (stage_ != Stage::live) return false;
    if (!control_.empty()) return write_own(std::exchange(control_, {}), Message::control), true;
    const auto& o = ctx_->options;
    if (lagging_) {
        ++ctx_->metrics.closed_lagging;
        begin_close(ws::close_code::lagging, "lagging: more than " + std::to_string(o.max_lag) +
                                                 " events behind; reconnect with since=" + std::to_string(cursor_));
        return prepare_next();
    }
    auto& hub = ctx_->hub;
    if (start_.snapshot) {
        start_.snapshot = false;
        auto snap = hub.snapshot(filter_);
        pending_cursor_ = snap.seq;
        batch_.clear();
        for (auto& e : snap.events) batch_.push_back(std::move(e.json));
        frame_events(boost::json::serialize(
            boost::json::object{{"type", "snapshot"}, {"seq", snap.seq}, {"events", batch_.size()}}));
        writing_ = Message::events;
        return true;
    }
    batch_.clear();
    for (;;) {
        const auto next = hub.read(cursor_, filter_, o.max_message_events, o.max_message_bytes, batch_);
        if (!batch_.empty()) {
            pending_cursor_ = next;
            frame_events({});
            writing_ = Message::events;
            return true;
        }
        if (next == cursor_) break;  // nothing new
        cursor_ = pending_cursor_ = next;  // examined, none matched: look further
    }
    if (heartbeat_due_) {
        frame_events(boost::json::serialize(boost::json::object{{"type", "heartbeat"}, {"seq", cursor_}}));
        writing_ = Message::heartbeat;
        return true;
    }
    if (ping_due_) {  // after the heartbeat, which its completion would otherwise cancel
        ping_due_ = false;
        return write_own(ws::frame(ws::Opcode::ping, "heartbeat"), Message::control), true;
    }
    return false;
}

// A message of bytes of its own: the opening, a pong, a close frame.
void WebSocketSession::write_own(std::string message, Message kind) {
    own_message(std::move(message));
    writing_ = kind;
}

// One text frame: the header line (if any) then the events in batch_, as
// JSON lines. The event bytes are the hub's, shared, never copied.
void WebSocketSession::frame_events(std::string_view text) {
    own_.assign(text);
    std::size_t payload = own_.size();
    for (const auto& e : batch_) payload += e->size();
    const std::size_t items = batch_.size() + (own_.empty() ? 0 : 1);
    if (items > 1) payload += items - 1;  // newlines between
    iov_.clear();
    iov_.reserve(batch_.size() * 2 + 2);
    iov_.push_back(iov_of(header_, ws::frame_header(ws::Opcode::text, payload, header_)));
    if (!own_.empty()) iov_.push_back(iov_of(own_.data(), own_.size()));
    for (const auto& e : batch_) {
        if (iov_.size() > 1) iov_.push_back(iov_of(&kNewline, 1));
        iov_.push_back(iov_of(e->data(), e->size()));
    }
    message_ready();
}

// The message in flight is out.
void WebSocketSession::written() {
    const auto what = writing_;
    writing_ = Message::none;
    heartbeat_due_ = false;
    cursor_ = pending_cursor_;
    if (what != Message::control && what != Message::close) ++ctx_->metrics.messages;
    ctx_->metrics.deliveries += batch_.size();
    const bool trim = batch_.capacity() > kKeptEvents;
    message_sent(trim);
    batch_.clear();
    if (trim) decltype(batch_)().swap(batch_);
    switch (what) {
    case Message::opening:
        if (stage_ != Stage::opening) break;  // a close came first
        stage_ = Stage::live;
        if (!start_.snapshot) cursor_ = pending_cursor_ = start_.since;
        break;
    case Message::close: {
        close_sent_ = true;
        if (close_received_) return finish();  // the handshake is complete: the server closes first
        // Our side is done; the peer's close frame or end of stream follows.
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        break;
    }
    default:
        break;
    }
}

void WebSocketSession::on_readable(boost::system::error_code ec) {
    if (stage_ == Stage::done) return;
    if (ec) {
        net::fail(ec, "websocket read");
        return finish();
    }
    // On the stack: an idle subscriber holds no read buffer.
    std::array<char, 4096> buffer;
    const int fd = socket_.native_handle();
    for (int round = 0; round < kReadRounds; ++round) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n > 0) {
            on_frames(std::span<char>(buffer.data(), static_cast<std::size_t>(n)));
            if (stage_ == Stage::done) return;
            continue;
        }
        if (n == 0) return finish();  // the peer is gone (or has answered our close)
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        net::fail(last_error(), "websocket read");
        return finish();
    }
    wait_readable();
    if (writing_ == Message::none) write_loop();  // a pong or a close frame may be due
}

void WebSocketSession::on_frames(std::span<char> data) {
    while (!data.empty()) {
        std::size_t used = 0;
        const auto r = reader_.next(data, used);
        data = data.subspan(used);
        using Kind = ws::FrameReader::Result::Kind;
        switch (r.kind) {
        case Kind::more:
            break;
        case Kind::pong:
            ping_out_ = false;
            break;
        case Kind::ping:
            if (stage_ == Stage::live || stage_ == Stage::opening) control_ = ws::frame(ws::Opcode::pong, r.payload);
            break;
        case Kind::close:
            close_received_ = true;
            if (close_sent_) return finish();
            // Echo the peer's code (none if it sent none).
            begin_close(r.code, {});
            return;
        case Kind::error:
            begin_close(r.code, r.payload);
            return;
        }
        if (used == 0) return;
    }
}

// Queues a close frame behind the message in flight; the connection ends
// when the peer answers, or after kCloseTimeout.
void WebSocketSession::begin_close(std::uint16_t code, std::string_view reason) {
    if (stage_ == Stage::closing || stage_ == Stage::done) return;
    stage_ = Stage::closing;
    leave_registry();
    control_.clear();
    close_frame_ = ws::frame(ws::Opcode::close, code == 1005 ? std::string() : ws::close_payload(code, reason));
    close_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), kCloseTimeout);
    close_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->finish();
    });
}

void WebSocketSession::tick(Clock::time_point now) {
    // From the feed's Ticker: heartbeats for idle subscribers; an end for
    // writes the peer never takes.
    if (done()) return;
    if (ping_out_ && now - ping_sent_ > ctx_->options.pong_timeout) {
        ++ctx_->metrics.closed_stuck;
        return finish();  // it reads nothing: a close frame would not be read either
    }
    if (writing_or_stuck(now)) return;
    if (heartbeat_time(now)) {
        heartbeat_due_ = true;
        if (!ping_out_) {
            ping_due_ = ping_out_ = true;
            ping_sent_ = now;
        }
        write_loop();
    }
}

void WebSocketSession::close_gracefully() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->stage_ != Stage::opening && self->stage_ != Stage::live) return;
        // A message in flight goes out before the close frame, so the resume
        // point counts it.
        const auto resume = self->writing_ != Message::none ? self->pending_cursor_ : self->cursor_;
        std::string reason = self->ctx_->closing_reason();
        if (self->stage_ == Stage::live) reason += " with since=" + std::to_string(resume);
        else if (!self->start_.snapshot) reason += " with since=" + std::to_string(self->start_.since);
        self->begin_close(self->ctx_->closing_code(), reason);
        if (self->writing_ == Message::none) self->write_loop();
    });
}

}  // namespace declared::feed
