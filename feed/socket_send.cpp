#include "feed/socket_send.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace declared::feed {

SendResult send_iov(int fd, std::vector<iovec>& iov, std::size_t& at, boost::system::error_code& ec) {
    while (at < iov.size()) {
        msghdr msg{};
        msg.msg_iov = &iov[at];
        msg.msg_iovlen = std::min<std::size_t>(iov.size() - at, IOV_MAX);
        const ssize_t sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return SendResult::would_block;
            ec = {errno, boost::system::system_category()};
            return SendResult::failed;
        }
        auto left = static_cast<std::size_t>(sent);
        while (at < iov.size() && left >= iov[at].iov_len) left -= iov[at++].iov_len;
        if (left > 0) {
            auto& v = iov[at];
            v.iov_base = static_cast<char*>(v.iov_base) + left;
            v.iov_len -= left;
        }
    }
    return SendResult::done;
}

}  // namespace declared::feed
