// Subscribers that cannot keep up. One that stops reading altogether is
// dropped (its writes never finish) while a healthy one receives every event;
// one that reads, but too slowly, is closed with 4008 and the since to resume
// from, and resuming from there misses nothing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <cerrno>

#include "tests/feed/feed_fixture.hpp"

using namespace declared::testing;

namespace {

// A night big enough to fill a stuck subscriber's socket buffers several
// times over (the kernel may buffer 4 MB for it: tcp_wmem): 60 councils of 50
// wards, eight independents standing in each.
constexpr int kC = 60, kW = 50;

std::vector<std::vector<std::string>> night_batches(std::size_t per_batch) {
    std::vector<std::string> all;
    for (int w = 0; w < kW; ++w)
        for (int c = 0; c < kC; ++c) all.push_back(decl(c, w, 1, {}, 8));
    std::vector<std::vector<std::string>> out;
    for (std::size_t i = 0; i < all.size(); i += per_batch)
        out.emplace_back(all.begin() + static_cast<long>(i),
                         all.begin() + static_cast<long>(std::min(all.size(), i + per_batch)));
    return out;
}

// A subscriber that completes the handshake on a raw socket with a tiny
// receive buffer and then never reads.
class StuckClient {
public:
    explicit StuckClient(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int small = 2048;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        if (!connect_loopback(fd_, port)) return;
        const std::string req = upgrade_request("/v1/feed?since=0");
        if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return;
        // Read the response headers byte by byte, leaving any frames unread.
        while (response_.find("\r\n\r\n") == std::string::npos && response_.size() < 4096) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) return;
            char ch;
            if (::recv(fd_, &ch, 1, 0) != 1) return;
            response_ += ch;
        }
    }
    ~StuckClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool upgraded() const { return response_.starts_with("HTTP/1.1 101"); }
    const std::string& response() const { return response_; }
    // Drains what the server sent; true if the connection then ended (EOF
    // or reset) within timeout, false if it is still open.
    bool drains_to_end(std::chrono::milliseconds timeout, std::size_t& bytes) {
        return drain_until_closed(fd_, timeout, &bytes);
    }

private:
    int fd_ = -1;
    std::string response_;
};

// Reads in a thread until it has covered `target` (set once known) or the
// connection ends; assertions happen in the test's thread afterwards.
struct ReaderThread {
    Subscriber sub;
    std::atomic<std::uint64_t> target{0};
    std::atomic<bool> give_up{false};
    std::thread thread;
    std::promise<void> finished;  // set as the reader thread ends
    std::future<void> ended;
    std::chrono::milliseconds pause{0};  // sleep after each message while pausing is true
    std::atomic<bool> pausing{false};

    std::atomic<bool> done{false};

    ~ReaderThread() {  // a failed REQUIRE leaves before finish()
        give_up = true;
        if (thread.joinable()) thread.join();
    }

    void start() {
        ended = finished.get_future();
        thread = std::thread([this] {
            for (;;) {
                auto t = target.load();
                if ((t && sub.cursor >= t) || give_up) break;
                if (!sub.step(500ms) && sub.end) break;
                if (pausing) std::this_thread::sleep_for(pause);
            }
            done = true;
            finished.set_value();
        });
    }
    void finish(std::uint64_t last, std::chrono::seconds timeout) {
        target = last;
        ended.wait_for(timeout);  // the reader reached last, or the time is up
        give_up = true;
        thread.join();
    }
};

}  // namespace

TEST_CASE("feed: a subscriber that stops reading is dropped while a healthy one receives every event", "[feed][slow]") {
    Daemon d(multi_card(kC, kW), {"--feed.max_lag", "200", "--feed.write_timeout_ms", "1000", "--feed.heartbeat_ms",
                                  "200"});
    REQUIRE(d.start());
    ReaderThread healthy;
    REQUIRE(healthy.sub.connect(d.port(), "?since=0"));
    healthy.start();
    StuckClient stuck(d.port());
    INFO(stuck.response());
    REQUIRE(stuck.upgraded());

    for (const auto& batch : night_batches(25)) push(d, batch);
    auto ref = reference_events(d);
    std::size_t total = 0;
    for (const auto& e : ref.events) total += e.raw.size() + 1;
    REQUIRE(ref.events.size() > 6000);
    REQUIRE(total > 10'000'000);  // over twice what the kernel may buffer for the stuck one
    healthy.finish(ref.last_seq, 30s);

    INFO(healthy.sub.problems_text());
    INFO(healthy.sub.close_reason());
    CHECK(healthy.sub.problems.empty());
    REQUIRE(!healthy.sub.end);
    REQUIRE(gap_or_repeat(healthy.sub.events, 1) == "");
    REQUIRE(first_difference(healthy.sub.events, ref.events) == "");

    // The stuck one is dropped: a write that does not finish within
    // write_timeout_ms (1 s) ends it, whatever the others do.
    auto dropped = [&] {
        return metric(d, "declared_feed_closed_stuck_total") + metric(d, "declared_feed_closed_lagging_total");
    };
    const auto deadline = Clock::now() + 10s;
    while (dropped() < 1 && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
    INFO("stuck " << metric(d, "declared_feed_closed_stuck_total") << ", lagging "
                  << metric(d, "declared_feed_closed_lagging_total"));
    REQUIRE(dropped() == 1);
    CHECK(metric(d, "declared_feed_subscribers") == 1);
    // Its socket then gives what the kernel had buffered, and EOF or a reset.
    std::size_t bytes = 0;
    REQUIRE(stuck.drains_to_end(10s, bytes));
    INFO("drained " << bytes << " bytes of " << total);
    CHECK(bytes < total / 2);
}

TEST_CASE("feed: a subscriber that reads too slowly is closed with 4008 and since=N, and resuming from N misses nothing", "[feed][slow]") {
    // A long write timeout: this subscriber is slow, not stuck.
    Daemon d(multi_card(kC, kW), {"--feed.max_lag", "200", "--feed.write_timeout_ms", "20000",
                                  "--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    ReaderThread slow;
    REQUIRE(slow.sub.connect(d.port(), "?since=0", {}, 4096));
    slow.pause = 300ms;
    slow.pausing = true;
    slow.start();
    for (const auto& batch : night_batches(25)) push(d, batch);
    slow.pausing = false;  // now it reads as fast as it can, and finds the close
    auto ref = reference_events(d);
    slow.finish(ref.last_seq, 30s);

    auto& s = slow.sub;
    INFO(s.problems_text());
    INFO("received " << s.events.size() << " of " << ref.events.size() << " events");
    CHECK(s.problems.empty());
    REQUIRE(s.end);
    INFO(s.close_reason());
    REQUIRE(s.close_code() == 4008);
    CHECK(s.close_reason().find("lagging") != std::string::npos);
    REQUIRE(s.resume_point());
    REQUIRE(!s.events.empty());
    CHECK(*s.resume_point() == s.events.back().seq);
    CHECK(*s.resume_point() < ref.last_seq);
    CHECK(metric(d, "declared_feed_closed_lagging_total") >= 1);
    CHECK(metric(d, "declared_feed_closed_stuck_total") == 0);

    // Resume: the two connections carry every seq exactly once.
    Subscriber again;
    REQUIRE(again.connect(d.port(), fmt::format("?since={}", *s.resume_point())));
    REQUIRE(again.until(ref.last_seq));
    std::vector<FeedEvent> both = s.events;
    both.insert(both.end(), again.events.begin(), again.events.end());
    REQUIRE(gap_or_repeat(both, 1) == "");
    REQUIRE(first_difference(both, ref.events) == "");
}

TEST_CASE("feed: a late subscriber gets a 10 MB backlog in few large messages, while a live one on the same strand keeps every event", "[feed][slow]") {
    // One I/O thread: one shard, so both subscribers share one strand and the
    // catch-up must take turns with the live subscriber's deliveries.
    Daemon d(multi_card(kC, kW), {"--threads", "1", "--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    ReaderThread live;
    REQUIRE(live.sub.connect(d.port(), "?since=0"));
    live.start();
    const auto batches = night_batches(25);
    const std::size_t half = batches.size() / 2;
    for (std::size_t i = 0; i < half; ++i) push(d, batches[i]);
    auto before = reference_events(d);
    std::size_t backlog = 0;
    for (const auto& e : before.events) backlog += e.raw.size() + 1;
    REQUIRE(backlog > 5'000'000);

    // The late one catches up while the second half is published.
    ReaderThread late;
    REQUIRE(late.sub.connect(d.port(), "?since=0"));
    late.start();
    for (std::size_t i = half; i < batches.size(); ++i) push(d, batches[i]);
    auto ref = reference_events(d);
    live.finish(ref.last_seq, 30s);
    late.finish(ref.last_seq, 30s);

    for (auto* s : {&live.sub, &late.sub}) {
        INFO(s->problems_text());
        INFO(s->close_reason() << (s->end ? " error: " + s->end->error : std::string()));
        CHECK(s->problems.empty());
        REQUIRE(!s->end);
        REQUIRE(gap_or_repeat(s->events, 1) == "");
        REQUIRE(first_difference(s->events, ref.events) == "");
    }
    // Messages of up to 1 MB: the backlog took a handful, not thousands (the
    // hello, then at most one per MB of backlog, then the live batches).
    INFO("late subscriber: " << late.sub.messages << " messages for " << ref.events.size() << " events");
    CHECK(late.sub.messages <= 1 + backlog / 1'000'000 + 1 + (batches.size() - half) * 2);
    CHECK(late.sub.messages < ref.events.size() / 20);
}
