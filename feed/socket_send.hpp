#pragma once
// The one write every feed subscriber makes: what is left of a message (an
// iovec list of its own bytes and the hub's shared event bytes) with
// sendmsg, non-blocking. Shared by the WebSocket and Server-Sent Events
// sessions, so both take the same path from hub to socket.
#include <cstddef>
#include <vector>

#include <sys/uio.h>

#include <boost/system/error_code.hpp>

namespace declared::feed {

enum class SendResult {
    done,         // the whole message is out
    would_block,  // the socket has no room: wait until it is writable, then call again
    failed,       // ec says why: end the connection
};

// Sends iov[at...] on fd; advances at (and trims a partly sent iovec) by
// what the kernel took.
SendResult send_iov(int fd, std::vector<iovec>& iov, std::size_t& at, boost::system::error_code& ec);

inline iovec iov_of(const void* data, std::size_t size) { return {const_cast<void*>(data), size}; }

}  // namespace declared::feed
