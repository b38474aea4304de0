#pragma once
// What both feed sessions (WebSocket and Server-Sent Events) share, all but
// the framing and the protocol: the connection taken over onto the shard's
// strand, the subscriber's place in the registry, the end (socket closed,
// place freed, shard left), the stuck-write check, and the socket half. That
// is one message in flight, an iovec list of the session's own bytes and the
// hub's shared event bytes, sent with sendmsg as far as the socket takes it
// and the rest once it is writable; after kMessagesPerTurn messages in a row
// the strand is yielded to the rest of the shard. The session says what comes
// next and what a message that is out means.
//
// Session (CRTP) provides, to this class as a friend: in_flight(),
// prepare_next() (false when nothing is due), written(), on_readable(ec),
// shared_from_this(), and kTakeoverWhat and kWriteWhat, its names in the log.
// Everything but construction and leave_registry() runs on the shard's strand.
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/fail.hpp"
#include "feed/event_filter.hpp"
#include "feed/feed_context.hpp"
#include "feed/feed_session.hpp"
#include "feed/feed_shard.hpp"
#include "feed/socket_send.hpp"
#include "feed/start_point.hpp"

namespace declared::feed {

template <class Session>
class SessionCore {
protected:
    using tcp = boost::asio::ip::tcp;
    enum class Stage { opening, live, closing, done };

    // socket: the connection the subscription came on. It came with a strand
    // of its own; its work from now on is on the shard's, with the shard's
    // other subscribers. A socket's executor cannot change, so the descriptor
    // moves to a new socket.
    SessionCore(tcp::socket&& socket, FeedShard& shard, std::shared_ptr<FeedContext> ctx, EventFilter filter,
                StartPoint start)
        : socket_(shard.executor()), shard_(shard), ctx_(std::move(ctx)), filter_(std::move(filter)), start_(std::move(start)) {
        boost::system::error_code ec;
        const auto protocol = socket.local_endpoint(ec).protocol();
        const auto fd = ec ? -1 : socket.release(ec);
        if (!ec) socket_.assign(protocol, fd, ec);
        if (ec) {
            net::fail(ec, Session::kTakeoverWhat);
            stage_ = Stage::done;
        }
    }
    ~SessionCore() { leave_registry(); }

    // The endpoint took place registry_id for it.
    void enter(std::size_t registry_id) {
        registry_id_ = registry_id;
        ++ctx_->metrics.subscribers_total;
    }
    // A closing subscriber no longer counts against the limit: by the time the
    // client reads the close, its place is free for it to reconnect.
    void leave_registry() {
        if (registry_id_) ctx_->sessions.remove(std::exchange(registry_id_, 0));
    }

    // On the strand, first: false when the socket could not be taken over. A
    // dead peer is found by the kernel, not by a timer per subscriber: the
    // heartbeat puts data on the wire every few seconds of quiet, and data
    // unacknowledged this long fails the connection.
    bool join_shard() {
        if (stage_ == Stage::done) return false;
        shard_.add(self().shared_from_this());
        const int timeout = kPeerTimeoutMs;
        ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof timeout);
        return true;
    }

    bool done() const { return stage_ == Stage::done; }

    // The end: the socket closed (which ends the pending waits), the place
    // freed, and the shard left (posted: not from inside the shard's pass over
    // its sessions).
    void finish() {
        if (stage_ == Stage::done) return;
        stage_ = Stage::done;
        leave_registry();
        boost::system::error_code ignored;
        socket_.close(ignored);
        if (close_timer_) close_timer_->cancel();
        boost::asio::post(socket_.get_executor(), [p = self().shared_from_this()] { p->shard_.remove(p.get()); });
    }

    // From the ticker: true while a message is in flight, and the session is
    // ended when the peer has taken none of it for the write timeout (no close
    // could get through).
    bool writing_or_stuck(FeedSession::Clock::time_point now) {
        if (!self().in_flight()) return false;
        if (now - write_started_ > ctx_->options.write_timeout) {
            ++ctx_->metrics.closed_stuck;
            finish();
        }
        return true;
    }
    // Live and quiet for a heartbeat interval.
    bool heartbeat_time(FeedSession::Clock::time_point now) const {
        return stage_ == Stage::live && now - last_sent_ >= ctx_->options.heartbeat;
    }

    // A message of the session's own bytes only.
    void own_message(std::string text) {
        own_ = std::move(text);
        iov_.assign(1, iov_of(own_.data(), own_.size()));
        message_ready();
    }
    // iov_ holds a whole new message.
    void message_ready() {
        iov_at_ = 0;
        write_started_ = FeedSession::Clock::now();
    }
    // The message in flight is out. Most subscribers sit idle between results:
    // trim keeps no memory for them that a snapshot or a burst grew.
    void message_sent(bool trim) {
        last_sent_ = FeedSession::Clock::now();
        iov_at_ = 0;
        std::string().swap(own_);
        if (trim) decltype(iov_)().swap(iov_);
        else iov_.clear();
    }

    // Sends the message in flight and whatever is due after it, until nothing
    // is due or the socket has no room (then it resumes when it has).
    void write_loop() {
        if (yielded_) return;  // the posted continuation will get to it
        Session& s = self();
        for (int sent = 0;;) {
            if (s.in_flight()) {
                if (!send_some()) return;
                s.written();
                if (s.done()) return;
                if (++sent == kMessagesPerTurn) {
                    yielded_ = true;
                    boost::asio::post(s.socket_.get_executor(), [p = s.shared_from_this()] {
                        p->yielded_ = false;
                        p->write_loop();
                    });
                    return;
                }
            }
            if (!s.prepare_next()) return;
        }
    }

    void wait_readable() {
        Session& s = self();
        s.socket_.async_wait(tcp::socket::wait_read,
                             [p = s.shared_from_this()](boost::system::error_code ec) { p->on_readable(ec); });
    }

    tcp::socket socket_;
    FeedShard& shard_;
    std::shared_ptr<FeedContext> ctx_;
    EventFilter filter_;
    StartPoint start_;
    Stage stage_ = Stage::opening;
    std::unique_ptr<boost::asio::steady_timer> close_timer_;  // only while closing

    std::vector<iovec> iov_;  // the message in flight; iov_[iov_at_] onward is unsent
    std::size_t iov_at_ = 0;
    std::string own_;         // its own bytes: a response, ids, a header, a heartbeat
    FeedSession::Clock::time_point write_started_, last_sent_;

private:
    static constexpr int kMessagesPerTurn = 4;
    static constexpr int kPeerTimeoutMs = 60'000;

    Session& self() { return static_cast<Session&>(*this); }

    // Writes what the socket takes now. True when the whole message is out.
    bool send_some() {
        Session& s = self();
        boost::system::error_code ec;
        switch (send_iov(s.socket_.native_handle(), iov_, iov_at_, ec)) {
        case SendResult::done:
            return true;
        case SendResult::would_block:
            s.socket_.async_wait(tcp::socket::wait_write, [p = s.shared_from_this()](boost::system::error_code e) {
                if (p->done()) return;
                if (e) {
                    net::fail(e, Session::kWriteWhat);
                    return p->finish();
                }
                p->write_loop();
            });
            return false;
        case SendResult::failed:
            net::fail(ec, Session::kWriteWhat);
            s.finish();
            return false;
        }
        return false;
    }

    bool yielded_ = false;
    std::size_t registry_id_ = 0;
};

}  // namespace declared::feed
