// ingest_bench: declarations acknowledged per second by a running
// `declared serve` over HTTP (each answer means fsync'd to the journal), and
// the acknowledgement latency. Not a test: numbers go to BENCHMARKS.md.
//
//   ingest_bench --port P --token T --declarations FILE [--connections C] [--rate R] [--batch B]
//
// Without --rate: closed loop, C connections each POSTing as fast as answers
// come (throughput at saturation). With --rate R: open loop at R declarations
// per second; latency is measured from when each was due, so a stalled server
// is not hidden (no coordinated omission). --batch B sends B declarations per
// request as JSON lines.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Shared {
    std::vector<std::string> bodies;  // one request body each
    std::size_t next = 0;
    std::size_t per_request = 1;
    std::string token;
    std::deque<Clock::time_point> due;  // open loop: requests waiting for a free connection
    bool open_loop = false;
    std::vector<double> latencies;
    std::size_t acked = 0, failed = 0;
    Clock::time_point last_answer;
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(asio::io_context& ioc, Shared& s) : stream_(ioc), shared_(s) {}
    void start(const tcp::endpoint& ep) {
        stream_.connect(ep);
        stream_.socket().set_option(tcp::no_delay(true));
        next();
    }
    // Open loop: wake an idle connection.
    void poke() {
        if (idle_) next();
    }

private:
    void next() {
        if (shared_.next >= shared_.bodies.size()) return;
        Clock::time_point due = Clock::now();
        if (shared_.open_loop) {
            if (shared_.due.empty()) return void(idle_ = true);
            due = shared_.due.front();
            shared_.due.pop_front();
        }
        idle_ = false;
        due_ = due;
        req_ = {http::verb::post, "/v1/declarations", 11};
        req_.set(http::field::host, "127.0.0.1");
        req_.set(http::field::authorization, "Bearer " + shared_.token);
        req_.set(http::field::content_type, shared_.per_request == 1 ? "application/json" : "application/x-ndjson");
        req_.body() = shared_.bodies[shared_.next++];
        lines_ = static_cast<std::size_t>(std::count(req_.body().begin(), req_.body().end(), '\n'));
        req_.prepare_payload();
        http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail(ec);
            self->res_ = {};
            http::async_read(self->stream_, self->buffer_, self->res_, [self](beast::error_code ec2, std::size_t) {
                if (ec2) return self->fail(ec2);
                self->shared_.last_answer = Clock::now();
                if (self->res_.result() == http::status::ok) {
                    self->shared_.acked += self->lines_;
                    self->shared_.latencies.push_back(
                        std::chrono::duration<double>(self->shared_.last_answer - self->due_).count());
                } else {
                    ++self->shared_.failed;
                }
                self->next();
            });
        });
    }
    void fail(beast::error_code ec) {
        std::fprintf(stderr, "connection: %s\n", ec.message().c_str());
        ++shared_.failed;
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
    Shared& shared_;
    Clock::time_point due_;
    std::size_t lines_ = 0;  // declarations in the request in flight
    bool idle_ = false;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    std::string token, path;
    int connections = 32;
    double rate = 0;
    std::size_t batch = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--port") port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
        else if (a == "--token") token = argv[i + 1];
        else if (a == "--declarations") path = argv[i + 1];
        else if (a == "--connections") connections = std::atoi(argv[i + 1]);
        else if (a == "--rate") rate = std::atof(argv[i + 1]);
        else if (a == "--batch") batch = static_cast<std::size_t>(std::atoi(argv[i + 1]));
    }
    if (!port || path.empty())
        return std::fprintf(stderr, "usage: ingest_bench --port P --token T --declarations FILE [--connections C] [--rate R] [--batch B]\n"), 2;
    Shared s;
    s.token = token;
    s.per_request = batch;
    std::ifstream in(path);
    std::string line, body;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        body += line;
        body += '\n';
        if (++n % batch == 0) s.bodies.push_back(std::move(body)), body.clear();
    }
    if (!body.empty()) s.bodies.push_back(std::move(body));

    asio::io_context ioc(1);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    std::vector<std::shared_ptr<Connection>> conns;
    s.open_loop = rate > 0;
    auto t0 = Clock::now();
    for (int i = 0; i < connections; ++i) conns.push_back(std::make_shared<Connection>(ioc, s));
    asio::steady_timer ticker(ioc);
    std::size_t scheduled = 0;
    std::function<void()> tick = [&] {
        // Everything due by now joins the queue; idle connections take it.
        auto now = Clock::now();
        auto target = static_cast<std::size_t>(std::chrono::duration<double>(now - t0).count() * rate);
        for (; scheduled < std::min(target, s.bodies.size()); ++scheduled)
            s.due.push_back(t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(scheduled / rate)));
        for (auto& c : conns) c->poke();
        if (scheduled < s.bodies.size()) {
            ticker.expires_after(std::chrono::milliseconds(1));
            ticker.async_wait([&](beast::error_code) { tick(); });
        }
    };
    for (auto& c : conns) c->start(ep);
    if (s.open_loop) tick();
    ioc.run();
    double secs = std::chrono::duration<double>(s.last_answer - t0).count();
    std::printf("%zu declarations in %zu requests over %d connections%s: %zu acknowledged, %zu failed\n", n,
                s.bodies.size(), connections, s.open_loop ? (" at " + std::to_string(int(rate)) + "/s").c_str() : "",
                s.acked, s.failed);
    std::printf("throughput: %.0f acknowledged declarations/s over %.2f s\n", s.acked / secs, secs);
    std::printf("ack latency per request: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(s.latencies, 0.5) * 1e3,
                percentile(s.latencies, 0.99) * 1e3, percentile(s.latencies, 1.0) * 1e3);
    return s.failed ? 1 : 0;
}
