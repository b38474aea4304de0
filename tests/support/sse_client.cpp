#include "tests/support/sse_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>

#include "tests/support/http_client.hpp"

namespace declared::testing {

using Clock = std::chrono::steady_clock;

SseClient::~SseClient() {
    if (fd_ >= 0) ::close(fd_);
}

std::string SseClient::header(const std::string& lower_name) const {
    auto it = headers_.find(lower_name);
    return it == headers_.end() ? std::string() : it->second;
}

bool SseClient::fill(Clock::time_point deadline) {
    if (ended_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
        ended_ = true;
        return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

bool SseClient::connect(int port, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        std::chrono::milliseconds timeout, int rcvbuf) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (!connect_loopback(fd_, port)) return false;
    std::vector<std::pair<std::string, std::string>> h{{"Accept", "text/event-stream"}};
    h.insert(h.end(), headers.begin(), headers.end());
    const std::string req = format_request("GET", target, h, {}, true);
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return false;
    const auto deadline = Clock::now() + timeout;
    std::size_t end = std::string::npos;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
        if (!fill(deadline)) return false;
    const std::string head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    // Status line, then "Name: value" lines.
    std::size_t pos = head.find("\r\n");
    const std::string status_line = head.substr(0, pos);
    if (status_line.size() >= 12) status_ = std::stoi(status_line.substr(9, 3));
    for (pos += 2; pos < head.size();) {
        auto eol = head.find("\r\n", pos);
        const std::string line = head.substr(pos, eol - pos);
        pos = eol + 2;
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        headers_[name] = value;
    }
    if (status_ != 200) {
        // A refusal: its body (Content-Length) follows.
        const std::size_t length = header("content-length").empty() ? 0 : std::stoul(header("content-length"));
        while (buffer_.size() < length && fill(deadline)) {
        }
        body_ = buffer_.substr(0, length);
        return false;
    }
    return header("content-type").starts_with("text/event-stream");
}

SseRead SseClient::read(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    SseRead r;
    SseBlock& b = r.block;
    bool any = false;
    for (;;) {
        auto eol = buffer_.find('\n');
        if (eol == std::string::npos) {
            if (!fill(deadline)) {
                r.kind = ended_ ? SseRead::Kind::ended : SseRead::Kind::timeout;
                return r;
            }
            continue;
        }
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
            if (!any) continue;
            if (!b.data.empty() && b.data.back() == '\n') b.data.pop_back();
            r.kind = SseRead::Kind::block;
            return r;
        }
        any = true;
        if (line.front() == ':') {
            b.comments.push_back(line.substr(1));
            continue;
        }
        auto colon = line.find(':');
        std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (field == "event") b.event = value;
        else if (field == "data") b.data += value + "\n";
        else if (field == "id") {
            b.id = value;
            last_event_id_ = value;
        } else if (field == "retry") b.retry = value;
    }
}

}  // namespace declared::testing
