#pragma once
// Shared by the feed benchmarks (feed_bench, night_bench): a lean epoll
// WebSocket client for many connections to one loopback server, a blocking
// HTTP/1.1 client, and /proc readings. Not Beast: raw sockets, one read per
// ready socket, frames parsed in place. Text messages are handed on as runs
// of whole lines (the daemon's messages are JSON lines), in place when a
// frame arrived in one read; a frame spread over reads costs a copy of one
// partial line, never of the whole message (a backlog message is up to 1 MB,
// times a thousand subscribers).
#include <netinet/in.h>
#include <time.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ws_load {

std::int64_t now_ns();  // CLOCK_MONOTONIC

// Prints "<program>: what" to stderr and exits 1.
[[noreturn]] void die(const std::string& what);

// ---- /proc readings ------------------------------------------------------------

struct ProcCpu {
    std::int64_t user_us = 0, sys_us = 0;  // utime, stime
};
ProcCpu proc_cpu(int pid);
std::int64_t proc_cpu_us(int pid);                  // utime + stime, microseconds
std::int64_t proc_rss_kb(const std::string& pid);   // VmRSS ("self" or a pid)
std::int64_t proc_peak_rss_kb(const std::string& pid);  // VmHWM: the most VmRSS has been
std::int64_t self_cpu_us();                         // this process, user + system

// ---- small helpers ---------------------------------------------------------------

std::vector<std::string> read_lines(const std::string& path);  // non-empty lines; dies when unreadable
double percentile(std::vector<std::uint32_t>& v, double q);  // reorders v
sockaddr_in loopback(int port);
// A WebSocket upgrade request for path (with its query) on 127.0.0.1:port.
std::string upgrade_request(const std::string& path, int port);
// GET path for the event stream (Server-Sent Events).
std::string event_stream_request(const std::string& path, int port);

// ---- HTTP/1.1: blocking, keep-alive, one request at a time ------------------------

class HttpClient {
public:
    // bearer: sent as "Authorization: Bearer ..." when not empty.
    HttpClient(sockaddr_in addr, std::string bearer);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;
    // The answer's body. Dies on anything but 2xx.
    std::string post(const std::string& target, const std::string& type, const std::string& body);
    std::string get(const std::string& target);

private:
    std::string exchange(const std::string& head, const std::string& body);
    void reconnect();
    void write_all(const std::string& s);
    std::string read_answer();
    sockaddr_in addr_;
    std::string bearer_;
    int fd_ = -1;
    std::string in_;
    std::int64_t last_answer_ns_;
};

// ---- many WebSocket clients on one epoll thread ----------------------------------

// How a connection ended: the close frame's code and reason when one came
// (code 0 when none did: a reset, an EOF, a refused upgrade).
struct End {
    int code = 0;
    std::string why;
};

class Clients {
public:
    Clients(sockaddr_in addr, int nconns);
    virtual ~Clients();
    Clients(const Clients&) = delete;
    Clients& operator=(const Clients&) = delete;

    // The epoll loop, until stop: opens the connections (at most kInFlight
    // handshakes at a time), reads, answers pings. Run it on its own thread.
    void run(const std::atomic<bool>& stop);
    int size() const { return static_cast<int>(conns_.size()); }
    // Server-Sent Events instead of WebSocket: the answer is 200
    // text/event-stream, each block's data lines are handed on as lines (the
    // block's first with start), other fields and comments are skipped.
    void use_event_stream() { sse_ = true; }

    // Read by the controller.
    std::atomic<int> ready{0}, failed{0};            // set_ready() called / ended before it
    std::atomic<std::uint64_t> closed{0}, errors{0};  // ended after it / unexpected frames
    std::atomic<std::uint64_t> messages{0};           // text frames received
    clockid_t cpu_clock{};                            // this thread's CPU clock, once run() started
    std::string first_error() const;

protected:
    // The upgrade request to send on connection i (for each connect, so a
    // reconnect can ask for a different since=).
    virtual std::string request(int i) = 0;
    // The server answered 101 on connection i.
    virtual void on_upgraded(int /*i*/) {}
    // [p, p+n): one or more whole lines of a text message, without the last
    // line's newline; start: the first lines of the message. t: when read.
    virtual void on_lines(int i, const char* p, std::size_t n, bool start, std::int64_t t) = 0;
    // Connection i ended (its socket is closed already). The default counts it
    // (failed before set_ready, closed after) and remembers the first reason.
    virtual void on_end(int i, const End& end);

    void set_ready(int i);             // counts the connection as ready (once)
    bool is_ready(int i) const { return conns_[static_cast<std::size_t>(i)].ready; }
    void connect(int i);               // opens connection i now
    void reopen(int i);                // opens it again before the next wait (safe inside on_end)
    void note_error(const std::string& why);  // remembers the first one
    void count_end(int i, const std::string& why);  // what the default on_end does

private:
    struct Conn {
        int fd = -1;
        enum : std::uint8_t { connecting, upgrading, open, closed } state = connecting;
        bool ready = false;
        // Frame parsing across reads.
        std::string head;          // handshake answer, or an incomplete frame header
        std::uint64_t left = 0;    // payload bytes still to come in the current frame
        std::uint8_t op = 0;       // the current frame's opcode
        bool in_frame = false;
        bool start = false;        // the next lines handed on begin a message
        std::string carry;         // data frame: a partial line; control frame: its payload so far
    };
    static constexpr int kInFlight = 64;  // handshakes at once: stay under the servers' listen backlog

    void on_ready(int i, std::uint32_t ev);
    void end(int i, End e);
    // Frames in [p, p+n); false when the connection ended.
    bool parse(int i, const char* p, std::size_t n, std::int64_t t);
    void payload(int i, const char* p, std::size_t n, bool last, std::int64_t t);
    bool control(int i);
    void parse_sse(int i, const char* p, std::size_t n, std::int64_t t);
    bool sse_ = false;

    sockaddr_in addr_;
    std::vector<Conn> conns_;
    int epfd_ = -1;
    int opened_ = 0;
    std::vector<int> reopen_;  // connections to open again before the next epoll_wait
    std::vector<char> rbuf_ = std::vector<char>(256 * 1024);
    mutable std::mutex error_mutex_;
    std::string first_error_;
};

}  // namespace ws_load
