#pragma once
// An upstream for tests of the daemon's poll: a one-connection-at-a-time HTTP
// server on 127.0.0.1 that serves a JSON-lines feed with an ETag, answers 304
// to a matching If-None-Match, and fails the first few requests with 500.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace declared::testing {

class FeedServer {
public:
    explicit FeedServer(int fail_first) : fail_first_(fail_first) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~FeedServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    void serve(std::string body, std::string etag) {
        std::lock_guard lock(m_);
        body_ = std::move(body);
        etag_ = std::move(etag);
    }
    struct Counts {
        int requests = 0, failed = 0, full = 0, not_modified = 0;
        std::string last_if_none_match, last_target;
        std::map<std::string, int> not_modified_by_etag;
    };
    Counts counts() const {
        std::lock_guard lock(m_);
        return counts_;
    }

private:
    void run() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            handle(c);
            ::close(c);
        }
    }
    void handle(int c) {
        timeval tv{2, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            req.append(buf, static_cast<std::size_t>(n));
        }
        std::string if_none_match;
        std::string lower = req;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (auto at = lower.find("\r\nif-none-match:"); at != std::string::npos) {
            auto start = at + 16, end = req.find("\r\n", start);
            if_none_match = req.substr(start, end - start);
            if_none_match.erase(0, if_none_match.find_first_not_of(' '));
        }
        std::string response;
        {
            std::lock_guard lock(m_);
            ++counts_.requests;
            counts_.last_if_none_match = if_none_match;
            counts_.last_target = req.substr(0, req.find("\r\n"));
            if (counts_.failed < fail_first_) {
                ++counts_.failed;
                response = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 6\r\nConnection: close\r\n\r\nbroken";
            } else if (!etag_.empty() && if_none_match == etag_) {
                ++counts_.not_modified;
                ++counts_.not_modified_by_etag[etag_];
                response = "HTTP/1.1 304 Not Modified\r\nETag: " + etag_ + "\r\nConnection: close\r\n\r\n";
            } else {
                ++counts_.full;
                response = fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nETag: {}\r\n"
                                       "Content-Length: {}\r\nConnection: close\r\n\r\n",
                                       etag_, body_.size()) +
                           body_;
            }
        }
        std::string_view rest = response;
        while (!rest.empty()) {
            ssize_t n = ::send(c, rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
        ::shutdown(c, SHUT_WR);
        while (::recv(c, buf, sizeof buf, 0) > 0) {
        }
    }

    int fd_ = -1, port_ = 0;
    const int fail_first_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex m_;
    std::string body_, etag_;
    Counts counts_;
};

}  // namespace declared::testing
