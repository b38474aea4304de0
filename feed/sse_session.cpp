#include "feed/sse_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "net/fail.hpp"
#include "feed/feed_shard.hpp"
#include "feed/socket_send.hpp"
#include "feed/ws_frame.hpp"

namespace declared::feed {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kEventEnd = "\n\n";
constexpr std::string_view kDataLine = "\ndata: ";
constexpr std::size_t kIdPrefixMax = 4 + 20 + 7;  // "id: " seq "\ndata: "
constexpr std::size_t kKeptEvents = 8;
constexpr std::chrono::seconds kCloseTimeout{5};  // for the peer to hang up after our close event
// How long an EventSource waits before it reconnects (it then sends
// Last-Event-ID and resumes).
constexpr std::string_view kRetry = "retry: 3000\n";

void append_number(std::string& out, std::uint64_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

}  // namespace

SseSession::SseSession(tcp::socket&& socket, FeedShard& shard, std::shared_ptr<FeedContext> ctx, EventFilter filter,
                       StartPoint start)
    : SessionCore(std::move(socket), shard, std::move(ctx), std::move(filter), std::move(start)) {}

SseSession::~SseSession() = default;

void SseSession::run(std::size_t registry_id, std::string response_head) {
    enter(registry_id);
    asio::dispatch(socket_.get_executor(),
                  [self = shared_from_this(), head = std::move(response_head)] { self->open(head); });
}

void SseSession::open(const std::string& head) {
    if (!join_shard()) return;
    std::string opening = head;
    opening += kRetry;
    opening += "event: hello\ndata: ";
    opening += hello_json(*ctx_, start_);
    opening += kEventEnd;
    std::string().swap(start_.notice);
    write_own(std::move(opening), Message::opening);
    wait_readable();
    write_loop();
}

void SseSession::pull() {
    if (stage_ != Stage::live) return;
    if (writing_ != Message::none) {
        if (!lagging_ && ctx_->hub.last_seq() - pending_cursor_ > ctx_->options.max_lag) lagging_ = true;
        return;
    }
    write_loop();
}

bool SseSession::prepare_next() {
    if (stage_ == Stage::done) return false;
    pending_cursor_ = cursor_;
    if (!close_message_.empty()) return write_own(std::exchange(close_message_, {}), Message::close), true;
    if (stage_ != Stage::live) return false;
    const auto& o = ctx_->options;
    if (lagging_) {
        ++ctx_->metrics.closed_lagging;
        begin_close(ws::close_code::lagging,
                    "lagging: more than " + std::to_string(o.max_lag) +
                        " events behind; reconnect with since=" + std::to_string(cursor_),
                    cursor_);
        return prepare_next();
    }
    auto& hub = ctx_->hub;
    if (start_.snapshot) {
        start_.snapshot = false;
        auto snap = hub.snapshot(filter_);
        pending_cursor_ = snap.seq;
        snapshot_.clear();
        for (auto& e : snap.events) snapshot_.push_back(std::move(e.json));
        frame_snapshot(boost::json::serialize(boost::json::object{
                           {"type", "snapshot"}, {"seq", snap.seq}, {"events", snapshot_.size()}}),
                       snap.seq);
        writing_ = Message::events;
        return true;
    }
    batch_.clear();
    for (;;) {
        const auto next = hub.read(cursor_, filter_, o.max_message_events, o.max_message_bytes, batch_);
        if (!batch_.empty()) {
            pending_cursor_ = next;
            frame_events();
            writing_ = Message::events;
            return true;
        }
        if (next == cursor_) break;
        cursor_ = pending_cursor_ = next;
    }
    if (heartbeat_due_) {
        std::string beat = ": heartbeat\nid: ";
        append_number(beat, cursor_);
        beat += kEventEnd;
        write_own(std::move(beat), Message::heartbeat);
        return true;
    }
    return false;
}

void SseSession::write_own(std::string text, Message kind) {
    own_message(std::move(text));
    writing_ = kind;
}

// One event whose data lines are the header then the snapshot's events.
void SseSession::frame_snapshot(std::string header, std::uint64_t seq) {
    own_ = "event: snapshot\nid: ";
    append_number(own_, seq);
    own_ += "\ndata: ";
    own_ += header;
    iov_.clear();
    iov_.reserve(snapshot_.size() * 2 + 2);
    iov_.push_back(iov_of(own_.data(), own_.size()));
    for (const auto& e : snapshot_) {
        iov_.push_back(iov_of(kDataLine.data(), kDataLine.size()));
        iov_.push_back(iov_of(e->data(), e->size()));
    }
    iov_.push_back(iov_of(kEventEnd.data(), kEventEnd.size()));
    message_ready();
}

// Each event as "id: N\ndata: <the hub's bytes>\n\n"; the ids are in own_,
// the event bytes shared, never copied.
void SseSession::frame_events() {
    own_.clear();
    own_.reserve(batch_.size() * kIdPrefixMax);  // no reallocation below: the iovecs point into it
    iov_.clear();
    iov_.reserve(batch_.size() * 3);
    for (const auto& e : batch_) {
        const std::size_t at = own_.size();
        own_ += "id: ";
        append_number(own_, e.seq);
        own_ += "\ndata: ";
        iov_.push_back(iov_of(own_.data() + at, own_.size() - at));
        iov_.push_back(iov_of(e.json->data(), e.json->size()));
        iov_.push_back(iov_of(kEventEnd.data(), kEventEnd.size()));
    }
    message_ready();
}

void SseSession::written() {
    const auto what = writing_;
    writing_ = Message::none;
    heartbeat_due_ = false;
    cursor_ = pending_cursor_;
    if (what != Message::close) ++ctx_->metrics.messages;
    ctx_->metrics.deliveries += batch_.size() + snapshot_.size();
    const bool trim = batch_.capacity() > kKeptEvents || snapshot_.capacity() > 0;
    message_sent(trim);
    batch_.clear();
    if (trim) {
        decltype(batch_)().swap(batch_);
        decltype(snapshot_)().swap(snapshot_);
    }
    switch (what) {
    case Message::opening:
        if (stage_ != Stage::opening) break;
        stage_ = Stage::live;
        if (!start_.snapshot) cursor_ = pending_cursor_ = start_.since;
        break;
    case Message::close: {
        // Said why; the client hangs up (or the timer ends it).
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        break;
    }
    default:
        break;
    }
}

// A client of the stream has nothing to say: what it sends is read and
// dropped; its end of the connection ends the session.
void SseSession::on_readable(boost::system::error_code ec) {
    if (stage_ == Stage::done) return;
    if (ec) {
        net::fail(ec, "event stream read");
        return finish();
    }
    std::array<char, 1024> buffer;
    for (int round = 0; round < 16; ++round) {
        const ssize_t n = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n > 0) continue;
        if (n == 0) return finish();
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        net::fail({errno, boost::system::system_category()}, "event stream read");
        return finish();
    }
    wait_readable();
}

void SseSession::begin_close(int code, std::string reason, std::uint64_t since) {
    if (stage_ == Stage::closing || stage_ == Stage::done) return;
    stage_ = Stage::closing;
    leave_registry();
    boost::json::object why{{"type", "close"}, {"code", code}, {"reason", reason}};
    if (since != ~std::uint64_t{0}) why["since"] = since;
    close_message_ = "event: close\ndata: " + boost::json::serialize(why) + std::string(kEventEnd);
    close_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), kCloseTimeout);
    close_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->finish();
    });
}

void SseSession::tick(Clock::time_point now) {
    if (done() || writing_or_stuck(now)) return;
    if (heartbeat_time(now)) {
        heartbeat_due_ = true;
        write_loop();
    }
}

void SseSession::close_gracefully() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->stage_ != Stage::opening && self->stage_ != Stage::live) return;
        const auto resume = self->writing_ != Message::none ? self->pending_cursor_ : self->cursor_;
        std::uint64_t since = ~std::uint64_t{0};
        if (self->stage_ == Stage::live) since = resume;
        else if (!self->start_.snapshot) since = self->start_.since;
        std::string reason = self->ctx_->closing_reason();
        if (since != ~std::uint64_t{0}) reason += " with since=" + std::to_string(since);
        self->begin_close(self->ctx_->closing_code(), reason, since);
        if (self->writing_ == Message::none) self->write_loop();
    });
}

}  // namespace declared::feed
