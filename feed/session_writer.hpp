#pragma once
// The socket half both feed sessions share (WebSocket and Server-Sent
// Events): one message in flight, an iovec list of the session's own bytes
// and the hub's shared event bytes, sent with sendmsg as far as the socket
// takes it and the rest once it is writable; after kMessagesPerTurn messages
// in a row the strand is yielded to the rest of the shard. The session says
// what comes next and what a message that is out means; only the framing and
// the protocol differ between the two.
//
// Session (CRTP) provides, to this class as a friend: socket_, done(),
// in_flight(), prepare_next() (false when nothing is due), written(),
// finish(), on_readable(ec), shared_from_this(), and kWriteWhat and
// kReadWhat, its names in the log.
#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "net/fail.hpp"
#include "feed/feed_session.hpp"
#include "feed/socket_send.hpp"

namespace declared::feed {

template <class Session>
class SessionWriter {
protected:
    using tcp = boost::asio::ip::tcp;

    // Moves the accepted connection onto the shard's executor (a socket's
    // executor cannot change, so the descriptor moves to a new socket).
    static boost::system::error_code adopt(tcp::socket& from, tcp::socket& to) {
        boost::system::error_code ec;
        const auto protocol = from.local_endpoint(ec).protocol();
        const auto fd = ec ? -1 : from.release(ec);
        if (!ec) to.assign(protocol, fd, ec);
        return ec;
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

    std::vector<iovec> iov_;  // the message in flight; iov_[iov_at_] onward is unsent
    std::size_t iov_at_ = 0;
    std::string own_;         // its own bytes: a response, ids, a header, a heartbeat
    FeedSession::Clock::time_point write_started_, last_sent_;

private:
    static constexpr int kMessagesPerTurn = 4;

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
};

}  // namespace declared::feed
