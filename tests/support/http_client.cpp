#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cctype>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace declared::testing {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

bool connect_loopback(int fd, int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

void Connection::shrink_receive_buffer() {
    int bytes = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

Connection::Connection(int port, std::chrono::milliseconds timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!connect_loopback(fd_, port)) {
        ::close(fd_);
        fd_ = -1;
    }
}

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

bool Connection::send(std::string_view bytes) {
    if (fd_ < 0) return false;
    while (!bytes.empty()) {
        // Stop sending once the server has answered (say, 413 before the body
        // is all sent): its answer must be read before a reset can discard it.
        pollfd p{fd_, POLLIN | POLLOUT, 0};
        int r = ::poll(&p, 1, 20'000);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) return false;
        ssize_t n = ::send(fd_, bytes.data(), std::min<std::size_t>(bytes.size(), 1 << 16), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void Connection::shutdown_write() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

HttpResponse Connection::read_response() {
    HttpResponse out;
    if (fd_ < 0) return out;
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(std::uint64_t{1} << 32);
    parser.header_limit(1 << 20);
    std::string buf = std::move(pending_);
    pending_.clear();
    char chunk[65536];
    bool eof = false, got_any = !buf.empty();
    for (;;) {
        while (!buf.empty() && !parser.is_done()) {
            boost::beast::error_code ec;
            std::size_t used = parser.put(boost::asio::buffer(buf.data(), buf.size()), ec);
            buf.erase(0, used);
            if (ec == http::error::need_more) break;
            if (ec) return out;  // not HTTP
            if (used == 0) break;
        }
        if (parser.is_done()) break;
        if (eof) {
            if (!got_any) return out;  // closed without a byte of response
            boost::beast::error_code ec;
            parser.put_eof(ec);
            if (ec || !parser.is_done()) return out;
            break;
        }
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return out;  // timeout or reset
        if (n == 0) eof = true;
        else buf.append(chunk, static_cast<std::size_t>(n)), got_any = true;
    }
    pending_ = std::move(buf);
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
    }
    out.body = std::move(res.body());
    return out;
}

bool drain_until_closed(int fd, std::chrono::milliseconds timeout, std::size_t* bytes) {
    const auto deadline = Clock::now() + timeout;
    char chunk[65536];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return true;  // reset
        if (n > 0 && bytes) *bytes += static_cast<std::size_t>(n);
    }
}

bool Connection::wait_closed(std::chrono::milliseconds timeout) {
    return fd_ < 0 || drain_until_closed(fd_, timeout);
}

std::string format_request(std::string_view method, std::string_view target,
                           const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
                           bool keep_alive) {
    std::string r;
    r.reserve(256 + body.size());
    r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (const auto& [k, v] : headers) r.append(k).append(": ").append(v).append("\r\n");
    if (!body.empty() || method == "POST") r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    if (!keep_alive) r.append("Connection: close\r\n");
    r.append("\r\n");
    r.append(body);
    return r;
}

HttpResponse request(int port, std::string_view method, std::string_view target,
                     const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
                     std::chrono::milliseconds timeout) {
    Connection c(port, timeout);
    // A refused request may be answered before the whole body is sent: read anyway.
    c.send(format_request(method, target, headers, body));
    return c.read_response();
}

HttpResponse get(int port, std::string_view target) { return request(port, "GET", target); }

HttpResponse post_declarations(int port, std::string_view body, std::string_view token,
                               std::string_view content_type) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", std::string(content_type)}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + std::string(token));
    return request(port, "POST", "/v1/declarations", headers, body);
}

}  // namespace declared::testing
