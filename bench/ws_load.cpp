#include "ws_load.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

namespace ws_load {

std::int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void die(const std::string& what) {
    std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what.c_str());
    std::exit(1);
}

// ---- /proc readings -----------------------------------------------------------

std::int64_t proc_cpu_us(int pid) {
    const ProcCpu c = proc_cpu(pid);
    return c.user_us + c.sys_us;
}

ProcCpu proc_cpu(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), {});
    auto close = s.rfind(')');
    if (close == std::string::npos) die("cannot read /proc/" + std::to_string(pid) + "/stat");
    // Fields after "pid (comm)": state is field 3; utime 14, stime 15.
    const char* p = s.c_str() + close + 2;
    unsigned long long utime = 0, stime = 0;
    for (int field = 3; field < 14; ++field) p = std::strchr(p, ' ') + 1;
    std::sscanf(p, "%llu %llu", &utime, &stime);
    static const auto hz = static_cast<unsigned long long>(sysconf(_SC_CLK_TCK));
    return {static_cast<std::int64_t>(utime * 1'000'000ULL / hz), static_cast<std::int64_t>(stime * 1'000'000ULL / hz)};
}

namespace {

std::int64_t proc_status_kb(const std::string& pid, std::string_view key) {
    std::ifstream f("/proc/" + pid + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.starts_with(key)) return std::atoll(line.c_str() + key.size());
    die("no " + std::string(key) + " for " + pid);
}

}  // namespace

std::int64_t proc_rss_kb(const std::string& pid) { return proc_status_kb(pid, "VmRSS:"); }
std::int64_t proc_peak_rss_kb(const std::string& pid) { return proc_status_kb(pid, "VmHWM:"); }

std::int64_t self_cpu_us() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1'000'000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

// ---- small helpers ----------------------------------------------------------------

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream f(path);
    if (!f) die("cannot read " + path);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(f, line))
        if (!line.empty()) out.push_back(line);
    return out;
}

double percentile(std::vector<std::uint32_t>& v, double q) {
    if (v.empty()) return 0;
    auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

std::string event_stream_request(const std::string& path, int port) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nAccept: text/event-stream\r\n\r\n";
}

std::string upgrade_request(const std::string& path, int port) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
           "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// ---- HTTP/1.1 ---------------------------------------------------------------------

HttpClient::HttpClient(sockaddr_in addr, std::string bearer)
    : addr_(addr), bearer_(std::move(bearer)), last_answer_ns_(now_ns()) {
    reconnect();
}

HttpClient::~HttpClient() {
    if (fd_ >= 0) ::close(fd_);
}

std::string HttpClient::post(const std::string& target, const std::string& type, const std::string& body) {
    return exchange("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type +
                        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n",
                    body);
}

std::string HttpClient::get(const std::string& target) {
    return exchange("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n", {});
}

std::string HttpClient::exchange(const std::string& head, const std::string& body) {
    // Servers close idle keep-alive connections; a fresh one after a pause
    // (between phases) costs nothing measured.
    if (now_ns() - last_answer_ns_ > 1'000'000'000) ::close(fd_), reconnect();
    std::string req = head;
    if (!bearer_.empty()) req += "Authorization: Bearer " + bearer_ + "\r\n";
    req += "\r\n";
    req += body;
    write_all(req);
    auto answer = read_answer();
    last_answer_ns_ = now_ns();
    return answer;
}

void HttpClient::reconnect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) < 0)
        die(std::string("http connect: ") + std::strerror(errno));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void HttpClient::write_all(const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        ssize_t r = ::write(fd_, s.data() + off, s.size() - off);
        if (r <= 0) die(std::string("http write: ") + std::strerror(errno));
        off += static_cast<std::size_t>(r);
    }
}

std::string HttpClient::read_answer() {
    for (;;) {
        auto end = in_.find("\r\n\r\n");
        if (end != std::string::npos) {
            std::string head = in_.substr(0, end);
            std::size_t length = 0;
            for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            auto cl = head.find("content-length:");
            if (cl != std::string::npos) length = std::strtoull(head.c_str() + cl + 15, nullptr, 10);
            if (in_.size() >= end + 4 + length) {
                std::string body = in_.substr(end + 4, length);
                int status = std::atoi(in_.c_str() + 9);
                in_.erase(0, end + 4 + length);
                if (status < 200 || status > 299) die("http answered " + std::to_string(status) + ": " + body);
                if (head.find("connection: close") != std::string::npos) ::close(fd_), reconnect();
                return body;
            }
        }
        char b[16384];
        ssize_t r = ::read(fd_, b, sizeof b);
        if (r <= 0) die("http read: connection closed");
        in_.append(b, static_cast<std::size_t>(r));
    }
}

// ---- WebSocket clients --------------------------------------------------------------

namespace {

// A frame header at h[0, n): its length (0 while incomplete), opcode, FIN and payload length.
std::size_t frame_header(const unsigned char* h, std::size_t n, std::uint8_t& op, bool& fin, std::uint64_t& len) {
    if (n < 2) return 0;
    op = h[0] & 0x0f;
    fin = (h[0] & 0x80) != 0;
    len = h[1] & 0x7f;
    std::size_t hl = 2;
    if (len == 126) {
        if (n < 4) return 0;
        len = (std::uint64_t(h[2]) << 8) | h[3];
        hl = 4;
    } else if (len == 127) {
        if (n < 10) return 0;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
        hl = 10;
    }
    if (h[1] & 0x80) hl += 4;  // a masked server frame: not expected; the key is skipped, the payload left as is
    return n < hl ? 0 : hl;
}

constexpr std::size_t kMaxHeader = 14;

}  // namespace

Clients::Clients(sockaddr_in addr, int nconns) : addr_(addr), conns_(static_cast<std::size_t>(nconns)) {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) die(std::string("epoll_create1: ") + std::strerror(errno));
}

Clients::~Clients() {
    for (auto& c : conns_)
        if (c.fd >= 0) ::close(c.fd);
    ::close(epfd_);
}

std::string Clients::first_error() const {
    std::lock_guard lock(error_mutex_);
    return first_error_;
}

void Clients::note_error(const std::string& why) {
    std::lock_guard lock(error_mutex_);
    if (first_error_.empty()) first_error_ = why;
}

void Clients::set_ready(int i) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    if (!c.ready) c.ready = true, ready.fetch_add(1);
}

void Clients::count_end(int i, const std::string& why) {
    if (!conns_[static_cast<std::size_t>(i)].ready) failed.fetch_add(1);
    else closed.fetch_add(1);
    note_error(why);
}

void Clients::on_end(int i, const End& e) { count_end(i, e.why); }

void Clients::end(int i, End e) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    if (c.state == Conn::closed) return;
    c.state = Conn::closed;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    std::string().swap(c.head);
    std::string().swap(c.carry);
    on_end(i, e);
}

void Clients::connect(int i) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    c.state = Conn::connecting;
    c.head.clear();
    c.carry.clear();
    c.left = 0;
    c.in_frame = c.start = false;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return end(i, {0, std::string("socket: ") + std::strerror(errno)});
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_);
    if (r < 0 && errno != EINPROGRESS) return end(i, {0, std::string("connect: ") + std::strerror(errno)});
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    epoll_ctl(epfd_, EPOLL_CTL_ADD, c.fd, &ev);
}

void Clients::reopen(int i) { reopen_.push_back(i); }

// Payload bytes of a data frame; last: they end the frame. Whole lines go to
// on_lines in place; only a line split between reads is copied (carry).
void Clients::payload(int i, const char* p, std::size_t n, bool last, std::int64_t t) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    auto deliver = [&](const char* q, std::size_t m) {
        if (m == 0) return;
        const bool start = c.start;
        c.start = false;
        on_lines(i, q, m, start, t);
    };
    if (!c.carry.empty()) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
        if (!nl) {
            c.carry.append(p, n);
            if (last) deliver(c.carry.data(), c.carry.size()), c.carry.clear();
            return;
        }
        c.carry.append(p, static_cast<std::size_t>(nl - p));
        deliver(c.carry.data(), c.carry.size());
        c.carry.clear();
        n -= static_cast<std::size_t>(nl + 1 - p);
        p = nl + 1;
    }
    if (last) return deliver(p, n);
    const char* nl = static_cast<const char*>(memrchr(p, '\n', n));
    if (!nl) return void(c.carry.assign(p, n));
    deliver(p, static_cast<std::size_t>(nl - p));
    c.carry.assign(nl + 1, static_cast<std::size_t>(p + n - nl - 1));
}

// A complete control frame (its payload in carry); false when the connection ended.
bool Clients::control(int i) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    if (c.op == 9) {  // ping: answer with a masked pong carrying the same payload
        char pong[2 + 4 + 125];
        std::size_t m = std::min<std::size_t>(c.carry.size(), 125);
        pong[0] = static_cast<char>(0x8a);
        pong[1] = static_cast<char>(0x80 | m);
        std::memset(pong + 2, 0, 4);  // mask 0: payload unchanged
        std::memcpy(pong + 6, c.carry.data(), m);
        if (::write(c.fd, pong, 6 + m) < 0) errors.fetch_add(1);
    } else if (c.op == 8) {
        End e{0, "server sent a close frame"};
        if (c.carry.size() >= 2) {
            e.code = (static_cast<unsigned char>(c.carry[0]) << 8) | static_cast<unsigned char>(c.carry[1]);
            e.why += " (" + std::to_string(e.code) + " " + c.carry.substr(2) + ")";
        }
        end(i, std::move(e));
        return false;
    }
    c.carry.clear();
    return true;
}

bool Clients::parse(int i, const char* p, std::size_t n, std::int64_t t) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    while (n > 0) {
        if (!c.in_frame) {
            std::uint8_t op = 0;
            bool fin = true;
            std::uint64_t len = 0;
            std::size_t used;  // bytes of p that were header
            if (c.head.empty()) {
                std::size_t hl = frame_header(reinterpret_cast<const unsigned char*>(p), n, op, fin, len);
                if (hl == 0) return c.head.assign(p, n), true;
                used = hl;
            } else {  // the rest of a header split between reads
                const std::size_t had = c.head.size();
                c.head.append(p, std::min(n, kMaxHeader - had));
                std::size_t hl = frame_header(reinterpret_cast<const unsigned char*>(c.head.data()), c.head.size(), op, fin, len);
                if (hl == 0) return true;  // n was all taken into head
                used = hl - had;
                c.head.clear();
            }
            p += used;
            n -= used;
            c.op = op;
            c.left = len;
            c.in_frame = true;
            if (op < 8) {
                if (op == 1) c.start = true, c.carry.clear(), messages.fetch_add(1, std::memory_order_relaxed);
                if (!fin && op <= 1) errors.fetch_add(1, std::memory_order_relaxed);  // fragmented: not expected
            } else {
                c.carry.clear();
            }
        }
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, c.left));
        c.left -= k;
        if (c.op == 0 || c.op == 1) payload(i, p, k, c.left == 0, t);
        else if (c.op >= 8) c.carry.append(p, k);
        p += k;
        n -= k;
        if (c.left == 0) {
            c.in_frame = false;
            if (c.op >= 8 && !control(i)) return false;
        }
    }
    return true;
}

// The event stream: lines across reads (a partial one kept in carry); a blank
// line ends a block, so the next data line starts a message.
void Clients::parse_sse(int i, const char* p, std::size_t n, std::int64_t t) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    auto line = [&](const char* q, std::size_t m) {
        if (m > 0 && q[m - 1] == '\r') --m;
        if (m == 0) {
            c.in_frame = false;  // between blocks
            return;
        }
        if (m < 6 || std::memcmp(q, "data: ", 6) != 0) return;  // id:, event:, retry:, comments
        if (!c.in_frame) {
            c.in_frame = true;
            messages.fetch_add(1, std::memory_order_relaxed);
            c.start = true;
        }
        const bool start = c.start;
        c.start = false;
        on_lines(i, q + 6, m - 6, start, t);
    };
    while (n > 0) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
        if (!nl) return void(c.carry.append(p, n));
        const std::size_t m = static_cast<std::size_t>(nl - p);
        if (!c.carry.empty()) {
            c.carry.append(p, m);
            line(c.carry.data(), c.carry.size());
            c.carry.clear();
        } else {
            line(p, m);
        }
        p = nl + 1;
        n -= m + 1;
    }
}

void Clients::on_ready(int i, std::uint32_t ev) {
    Conn& c = conns_[static_cast<std::size_t>(i)];
    if (c.state == Conn::closed) return;
    if (c.state == Conn::connecting) {
        if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) return end(i, {0, std::string("connect: ") + std::strerror(err)});
        const std::string hs = request(i);
        if (::write(c.fd, hs.data(), hs.size()) != static_cast<ssize_t>(hs.size())) return end(i, {0, "handshake write"});
        c.state = Conn::upgrading;
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u32 = static_cast<std::uint32_t>(i);
        epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &e);
        return;
    }
    ssize_t r = ::read(c.fd, rbuf_.data(), rbuf_.size());
    if (r == 0) return end(i, {0, "server closed the connection"});
    if (r < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        return end(i, {0, std::string("read: ") + std::strerror(errno)});
    }
    const std::int64_t t = now_ns();
    const char* data = rbuf_.data();
    std::size_t n = static_cast<std::size_t>(r);
    if (c.state == Conn::upgrading) {
        if (!c.head.empty()) {
            c.head.append(data, n);
            data = c.head.data();
            n = c.head.size();
        }
        std::string_view sv(data, n);
        auto stop = sv.find("\r\n\r\n");
        if (stop == std::string_view::npos) {
            if (c.head.empty()) c.head.assign(data, n);
            return;
        }
        if (!sv.starts_with(sse_ ? "HTTP/1.1 200" : "HTTP/1.1 101"))
            return end(i, {0, "upgrade refused: " + std::string(sv.substr(0, sv.find('\r')))});
        c.state = Conn::open;
        on_upgraded(i);
        if (c.head.empty()) {
            data += stop + 4;
            n -= stop + 4;
        } else {  // the answer came in pieces: what follows it moves out of head, which frames use
            std::string rest(sv.substr(stop + 4));
            c.head.clear();
            if (sse_) parse_sse(i, rest.data(), rest.size(), t);
            else parse(i, rest.data(), rest.size(), t);
            return;
        }
    }
    if (sse_) return parse_sse(i, data, n, t);
    parse(i, data, n, t);
}

void Clients::run(const std::atomic<bool>& stop) {
    pthread_getcpuclockid(pthread_self(), &cpu_clock);
    std::vector<epoll_event> evs(1024);
    const int n = size();
    while (!stop.load(std::memory_order_relaxed)) {
        if (opened_ < n) {
            int pending = opened_ - ready.load() - failed.load();
            while (opened_ < n && pending < kInFlight) connect(opened_++), ++pending;
        }
        // Not inside the loop below: a later event of the same batch may name a closed socket's index.
        for (std::size_t j = 0; j < reopen_.size(); ++j) connect(reopen_[j]);
        reopen_.clear();
        int k = epoll_wait(epfd_, evs.data(), static_cast<int>(evs.size()), 20);
        for (int j = 0; j < k; ++j)
            on_ready(static_cast<int>(evs[static_cast<std::size_t>(j)].data.u32), evs[static_cast<std::size_t>(j)].events);
    }
    for (auto& c : conns_)
        if (c.fd >= 0) ::close(c.fd), c.fd = -1;
}

}  // namespace ws_load
