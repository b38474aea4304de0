// The event stream (GET /v1/events/stream, Server-Sent Events): the same
// subscription as the WebSocket feed in SSE framing. Each test starts the
// real daemon and reads the stream as an EventSource would, comparing what
// arrives with GET /v1/events seq by seq and byte by byte.
#include <signal.h>

#include <atomic>
#include <future>

#include "tests/feed/sse_fixture.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;

namespace {

std::vector<std::string> night(int councils, int wards, int from_ward = 0) {
    std::vector<std::string> out;
    for (int w = from_ward; w < wards; ++w)
        for (int c = 0; c < councils; ++c) out.push_back(decl(c, w));
    return out;
}

// Reads in a thread until it covers `target` or the stream ends (the
// assertions are the test thread's).
struct SseReaderThread {
    SseSubscriber sub;
    std::atomic<std::uint64_t> target{0};
    std::atomic<std::uint64_t> seen{0};  // the reader's cursor, for the test thread
    std::atomic<bool> give_up{false}, done{false}, pausing{false};
    std::chrono::milliseconds pause{0};
    std::thread thread;
    std::promise<void> finished;  // set as the reader thread ends
    std::future<void> ended;
    ~SseReaderThread() {
        give_up = true;
        if (thread.joinable()) thread.join();
    }
    void start() {
        ended = finished.get_future();
        thread = std::thread([this] {
            for (;;) {
                auto t = target.load();
                if ((t && sub.cursor >= t) || give_up) break;
                const bool stepped = sub.step(500ms);
                seen = sub.cursor;
                if (!stepped && sub.ended) break;
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

TEST_CASE("sse: since=0 gets every event in seq order, each with its seq as id, byte for byte as GET /v1/events", "[sse]") {
    Daemon d(multi_card(6, 5), {"--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    push(d, night(6, 2));
    SseSubscriber s;
    REQUIRE(s.connect(d.port(), "?since=0"));
    CHECK(s.sse.header("content-type") == "text/event-stream; charset=utf-8");
    CHECK(s.sse.header("cache-control") == "no-store");
    CHECK(s.sse.header("access-control-allow-origin").empty());  // no web.allow_origins
    push(d, night(6, 5, 2));
    auto ref = reference_events(d);
    REQUIRE(s.until(ref.last_seq));
    INFO(s.problems_text());
    CHECK(s.problems.empty());
    CHECK(s.hello_str("type") == "hello");
    CHECK(s.hello_str("resume") == "since");
    CHECK(s.hello_str("since") == "0");
    CHECK(s.hello_str("election") == kElection);
    REQUIRE(gap_or_repeat(s.events, 1) == "");
    REQUIRE(first_difference(s.events, ref.events) == "");
    CHECK(s.sse.last_event_id() == std::to_string(ref.last_seq));
}

TEST_CASE("sse: without since, a snapshot with the state's seq as id, then live events from the next seq", "[sse]") {
    Daemon d(multi_card(6, 5), {"--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    push(d, night(6, 3));
    const auto at = d.last_seq();
    SseSubscriber s;
    REQUIRE(s.connect(d.port(), ""));
    REQUIRE(s.until(at));
    push(d, night(6, 5, 3));
    auto ref = reference_events(d);
    REQUIRE(s.until(ref.last_seq));
    INFO(s.problems_text());
    CHECK(s.problems.empty());
    CHECK(s.hello_str("resume") == "snapshot");
    REQUIRE(s.snapshot_seq == at);
    REQUIRE(first_difference(s.snapshot, expected_snapshot(ref.events, at)) == "");
    REQUIRE(first_difference(s.events, select(ref.events, {}, at)) == "");
}

TEST_CASE("sse: councils, regions and types filter as the feed does, and heartbeats are comments whose id covers the skipped seqs", "[sse]") {
    Daemon d(multi_card(6, 5), {"--feed.heartbeat_ms", "100"});
    REQUIRE(d.start());
    Filter f;
    f.types = {"control_called", "council_updated"};
    f.regions = {"London"};
    SseSubscriber s;
    REQUIRE(s.connect(d.port(), "?since=0&types=control_called,council_updated&regions=London"));
    push(d, night(6, 5));
    auto ref = reference_events(d);
    const auto want = select(ref.events, f);
    REQUIRE(want.size() > 3);
    REQUIRE(want.size() < ref.events.size() / 2);
    // Heartbeats carry the cursor past the events that did not match.
    REQUIRE(s.until(ref.last_seq));
    INFO(s.problems_text());
    CHECK(s.problems.empty());
    REQUIRE(first_difference(s.events, want) == "");
    REQUIRE(!s.heartbeats.empty());
    CHECK(s.heartbeats.back() == ref.last_seq);
    CHECK(s.sse.last_event_id() == std::to_string(ref.last_seq));
}

TEST_CASE("sse: Last-Event-ID resumes across a daemon restart, over the since= of the URL, with nothing missed or repeated", "[sse]") {
    Daemon d(multi_card(6, 5), {"--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    SseSubscriber a;
    REQUIRE(a.connect(d.port(), "?since=0"));
    push(d, night(6, 3));
    const auto l1 = d.last_seq();
    REQUIRE(a.until(l1));

    d.process.signal(SIGTERM);
    REQUIRE(a.until_end(15s));
    auto status = d.process.wait(15s);
    REQUIRE(status);
    CHECK(status->code == 0);
    INFO(a.problems_text());
    REQUIRE(a.close);  // told why before the end
    CHECK(a.close_code() == 1001);
    REQUIRE(a.close_since() == l1);
    CHECK(a.close_reason() == fmt::format("server shutting down; reconnect with since={}", l1));
    REQUIRE(a.sse.last_event_id() == std::to_string(l1));

    REQUIRE(d.start());  // the same journal, a new port
    // As an EventSource reconnects: the URL it was opened with, and the id it last had.
    SseSubscriber b;
    REQUIRE(b.connect(d.port(), "?since=0", {{"Last-Event-ID", a.sse.last_event_id()}}));
    push(d, night(6, 5, 3));
    push(d, {decl(0, 4, 2, "LAB")});
    auto ref = reference_events(d);
    REQUIRE(b.until(ref.last_seq));
    CHECK(b.hello_str("resume") == "since");
    CHECK(b.hello_str("since") == std::to_string(l1));
    std::vector<FeedEvent> both = a.events;
    both.insert(both.end(), b.events.begin(), b.events.end());
    REQUIRE(gap_or_repeat(both, 1) == "");
    REQUIRE(first_difference(both, ref.events) == "");
    CHECK(a.problems.empty());
    CHECK(b.problems.empty());
}

TEST_CASE("sse: a slow reader is closed with code 4008 and the since to resume from, a healthy one keeps every event, and resuming misses nothing", "[sse][slow]") {
    constexpr int kC = 60, kW = 50;
    // The slow reader, pausing 300 ms per 4 KB read, falls thousands of events
    // behind. The healthy one must never be 1000 behind, however loaded the
    // machine: each push waits until it has read to within 300 events of the
    // head (it was once closed as lagging under a sanitizer build while the
    // pushes raced ahead of it).
    Daemon d(multi_card(kC, kW), {"--feed.max_lag", "1000", "--feed.write_timeout_ms", "20000",
                                  "--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    SseReaderThread healthy, slow;
    REQUIRE(healthy.sub.connect(d.port(), "?since=0"));
    REQUIRE(slow.sub.connect(d.port(), "?since=0", {}, 4096));
    slow.pause = 300ms;
    slow.pausing = true;
    healthy.start();
    slow.start();
    std::vector<std::string> all;
    for (int w = 0; w < kW; ++w)
        for (int c = 0; c < kC; ++c) all.push_back(decl(c, w, 1, {}, 8));
    for (std::size_t i = 0; i < all.size(); i += 25) {
        push(d, std::vector<std::string>(all.begin() + static_cast<long>(i),
                                         all.begin() + static_cast<long>(std::min(all.size(), i + 25))));
        const auto head = d.last_seq();
        REQUIRE(wait_for([&] { return healthy.seen.load() + 300 >= head || healthy.done.load(); }, 30s));
    }
    slow.pausing = false;
    auto ref = reference_events(d);
    healthy.finish(ref.last_seq, 30s);
    slow.finish(ref.last_seq, 30s);

    {
        INFO(healthy.sub.problems_text());
        CHECK(healthy.sub.problems.empty());
        REQUIRE(!healthy.sub.ended);
        REQUIRE(first_difference(healthy.sub.events, ref.events) == "");
    }
    auto& s = slow.sub;
    INFO(s.problems_text());
    INFO("slow got " << s.events.size() << " of " << ref.events.size());
    CHECK(s.problems.empty());
    REQUIRE(s.ended);
    REQUIRE(s.close);
    CHECK(s.close_code() == 4008);
    CHECK(s.close_reason().find("lagging: more than 1000 events behind") == 0);
    REQUIRE(s.close_since());
    REQUIRE(!s.events.empty());
    CHECK(*s.close_since() == s.events.back().seq);
    CHECK(*s.close_since() < ref.last_seq);
    CHECK(metric(d, "declared_feed_closed_lagging_total") >= 1);

    SseSubscriber again;
    REQUIRE(again.connect(d.port(), "", {{"Last-Event-ID", s.sse.last_event_id()}}));
    REQUIRE(again.until(ref.last_seq));
    std::vector<FeedEvent> both = s.events;
    both.insert(both.end(), again.events.begin(), again.events.end());
    REQUIRE(gap_or_repeat(both, 1) == "");
    REQUIRE(first_difference(both, ref.events) == "");
}

TEST_CASE("sse: bad requests are refused with the API's error shape and change nothing", "[sse]") {
    Daemon d(multi_card(3, 3));
    REQUIRE(d.start());
    struct Case {
        std::string query;
        std::vector<std::pair<std::string, std::string>> headers;
        int status;
        std::string code, message_part;
    };
    const std::vector<Case> cases{
        {"?since=abc", {}, 400, "bad_query", "since must be a non-negative integer (a seq), got 'abc'"},
        {"", {{"Last-Event-ID", "12x"}}, 400, "bad_query", "Last-Event-ID must be a seq (the id of an event), got '12x'"},
        {"?types=ward_declared,nonsense", {}, 400, "bad_filter", "types"},
        {"?councils=local.nowhere.2022-05-05", {}, 400, "bad_filter", "no council 'local.nowhere.2022-05-05' on the card"},
        {"?colour=red", {}, 400, "bad_query", "unknown parameter 'colour'"},
    };
    for (const auto& c : cases) {
        INFO(c.query);
        SseClient client;
        REQUIRE(!client.connect(d.port(), "/v1/events/stream" + c.query, c.headers));
        CHECK(client.status() == c.status);
        CHECK(jstr(client.body(), "error.code") == c.code);
        CHECK(jstr(client.body(), "error.message").find(c.message_part) != std::string::npos);
    }
    auto post = request(d.port(), "POST", "/v1/events/stream", {}, "x");
    CHECK(post.status == 405);
    CHECK(post.header("allow") == "GET, HEAD");
    CHECK(metric(d, "declared_feed_subscribers") == 0);
    CHECK(d.last_seq() == reference_events(d).last_seq);
}
