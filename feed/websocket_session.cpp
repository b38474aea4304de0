#include "feed/websocket_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <span>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json.hpp>

#include "feed/fail.hpp"

namespace declared::feed {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kNewline = '\n';
constexpr std::size_t kKeptEvents = 8;  // batch capacity kept between messages
constexpr std::chrono::milliseconds kPeerTimeout{60'000};

}  // namespace

WebSocketSession::WebSocketSession(net::ip::tcp::socket&& socket, std::shared_ptr<FeedContext> ctx,
                                   EventFilter filter, StartPoint start)
    : ws_(std::move(socket)),
      ctx_(std::move(ctx)),
      filter_(std::move(filter)),
      start_(std::move(start)) {}

WebSocketSession::~WebSocketSession() {
    if (hub_id_) ctx_->hub.unsubscribe(hub_id_);
    if (registry_id_) ctx_->sessions.remove(registry_id_);
}

void WebSocketSession::run(Request&& upgrade) {
    // The endpoint checked the limit; registering here keeps the count exact.
    registry_id_ = ctx_->sessions.add(weak_from_this(), ctx_->options.max_subscribers);
    ++ctx_->metrics.subscribers_total;
    // Beast's timer covers the handshake only; once live, see on_accept().
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(10), websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "declared"); }));
    // One frame per message (no 4 KB fragments), and no compression: deflate
    // state costs tens of KB per connection and CPU per message per connection.
    ws_.auto_fragment(false);
    ws_.read_message_max(ctx_->options.max_client_message);
    ws_.text(true);
    auto req = std::make_shared<Request>(std::move(upgrade));
    net::dispatch(ws_.get_executor(), [self = shared_from_this(), req] {
        self->ws_.async_accept(*req, [self, req](beast::error_code ec) { self->on_accept(ec); });
    });
}

void WebSocketSession::on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "websocket accept");
    // A dead peer is found by the kernel, not by a timer per subscriber: the
    // heartbeat puts data on the wire every few seconds of quiet, and data
    // unacknowledged for kPeerTimeout fails the connection (TCP_USER_TIMEOUT).
    // Beast's idle timer would hold a pending operation for every idle
    // subscriber (and so would its keep-alive pings).
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false});
    using UserTimeout = net::detail::socket_option::integer<IPPROTO_TCP, TCP_USER_TIMEOUT>;
    beast::error_code ignored;
    ws_.next_layer().set_option(UserTimeout(static_cast<int>(kPeerTimeout.count())), ignored);
    stage_ = Stage::hello;
    last_sent_ = Clock::now();
    const auto& hub = ctx_->hub;
    boost::json::object hello{{"type", "hello"},
                              {"election", ctx_->options.election},
                              {"test", ctx_->options.test},
                              {"seq", hub.last_seq()},
                              {"oldest_seq", hub.oldest_seq()},
                              {"resume", start_.snapshot ? "snapshot" : "since"}};
    if (!start_.snapshot) hello["since"] = start_.since;
    if (!start_.notice.empty()) hello["notice"] = start_.notice;
    own_ = boost::json::serialize(hello);
    batch_.clear();
    writing_ = true;
    write_started_ = Clock::now();
    ws_.async_write(net::buffer(own_), beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
    do_read();
}

void WebSocketSession::do_read() {
    ws_.async_read_some(net::buffer(read_scratch_),
                        beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        // A peer that closes, or one whose frame broke the limits (Beast has
        // already answered with the close code): stop everything.
        stage_ = Stage::closing;
        return fail(ec, "websocket read");
    }
    if (!ws_.got_text()) return close_with(websocket::close_code::unknown_data, "binary frames are not accepted");
    // Clients have nothing to say on this endpoint; text is read and ignored.
    do_read();
}

void WebSocketSession::wake() {
    // Coalesce: many publishes before the strand runs are one pull.
    if (wake_pending_.exchange(true)) return;
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        self->wake_pending_ = false;
        self->pull();
    });
}

void WebSocketSession::pull() {
    if (stage_ != Stage::live) return;
    auto& hub = ctx_->hub;
    if (writing_) {
        if (!lagging_ && hub.last_seq() - pending_cursor_ > ctx_->options.max_lag) lagging_ = true;
        return;
    }
    if (lagging_) {
        ++ctx_->metrics.closed_lagging;
        return close_with(4008, "lagging: more than " + std::to_string(ctx_->options.max_lag) +
                                    " events behind; reconnect with since=" + std::to_string(cursor_));
    }
    batch_.clear();
    for (;;) {
        pending_cursor_ =
            hub.read(cursor_, filter_, ctx_->options.max_message_events, ctx_->options.max_message_bytes, batch_);
        if (!batch_.empty()) return write_events({});
        if (pending_cursor_ == cursor_) return;  // nothing new
        cursor_ = pending_cursor_;               // examined, none matched: look further
    }
}

// Writes own_ (if any) then the events in batch_ as JSON lines, as one message.
void WebSocketSession::write_events(std::string header) {
    own_ = std::move(header);
    buffers_.clear();
    buffers_.reserve(batch_.size() * 2 + 1);
    if (!own_.empty()) buffers_.push_back(net::buffer(own_));
    for (const auto& e : batch_) {
        if (!buffers_.empty()) buffers_.push_back(net::buffer(&kNewline, 1));
        buffers_.push_back(net::buffer(*e));
    }
    writing_ = true;
    write_started_ = Clock::now();
    // A span, not the vector: Beast keeps a copy of the buffer sequence in its
    // write operation and copies it again each time the operation moves; a
    // vector of a thousand buffers made that copying half the daemon's CPU.
    ws_.async_write(std::span<const net::const_buffer>(buffers_),
                    beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
        stage_ = Stage::closing;
        return fail(ec, "websocket write");
    }
    last_sent_ = Clock::now();
    ++ctx_->metrics.messages;
    ctx_->metrics.deliveries += batch_.size();
    batch_.clear();
    // Most subscribers sit idle between results: keep no memory for them that
    // the hello, a snapshot or a burst grew. Small live messages keep theirs.
    std::string().swap(own_);
    if (batch_.capacity() > kKeptEvents) {
        decltype(batch_)().swap(batch_);
        std::vector<net::const_buffer>().swap(buffers_);
    }
    if (stage_ == Stage::closing) return;
    if (stage_ == Stage::hello) {
        stage_ = Stage::live;
        auto& hub = ctx_->hub;
        if (start_.snapshot) {
            auto snap = hub.snapshot(filter_);
            cursor_ = pending_cursor_ = snap.seq;
            for (auto& e : snap.events) batch_.push_back(std::move(e.json));
            boost::json::object header{{"type", "snapshot"}, {"seq", snap.seq}, {"events", batch_.size()}};
            hub_id_ = hub.subscribe(weak_from_this());
            return write_events(boost::json::serialize(header));
        }
        cursor_ = pending_cursor_ = start_.since;
        hub_id_ = hub.subscribe(weak_from_this());
        return pull();
    }
    cursor_ = pending_cursor_;
    pull();
}

void WebSocketSession::tick() {
    // From the feed's Ticker: heartbeats for idle subscribers; an end for
    // writes the peer never takes.
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        if (self->stage_ != Stage::live && self->stage_ != Stage::hello) return;
        auto now = Clock::now();
        if (self->writing_) {
            if (now - self->write_started_ > self->ctx_->options.write_timeout) {
                ++self->ctx_->metrics.closed_stuck;
                self->stage_ = Stage::closing;
                beast::error_code ignored;
                beast::get_lowest_layer(self->ws_).close(ignored);  // no close frame can get through
            }
        } else if (self->stage_ == Stage::live && now - self->last_sent_ >= self->ctx_->options.heartbeat) {
            self->batch_.clear();
            self->pending_cursor_ = self->cursor_;
            self->write_events(boost::json::serialize(
                boost::json::object{{"type", "heartbeat"}, {"seq", self->cursor_}}));
        }
    });
}

void WebSocketSession::close_with(std::uint16_t code, std::string reason) {
    if (stage_ == Stage::closing) return;
    stage_ = Stage::closing;
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason), [self = shared_from_this()](beast::error_code ec) {
        if (ec) fail(ec, "websocket close");
    });
}

void WebSocketSession::close_gracefully() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        if (self->stage_ == Stage::handshake || self->stage_ == Stage::closing) {
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).close(ignored);
            return;
        }
        // A message in flight goes out before the close frame (Beast queues
        // the close behind the write), so the resume point counts it.
        const auto resume = self->writing_ ? self->pending_cursor_ : self->cursor_;
        self->close_with(websocket::close_code::going_away,
                         "server shutting down; reconnect with since=" + std::to_string(resume));
    });
}

}  // namespace declared::feed
