// Resume across a daemon restart: the subscriber is told (close 1001) which
// since to come back with, the restarted daemon rebuilds the same events from
// the journal, and the two connections together carry every seq exactly once,
// byte-identical to GET /v1/events?since=0.
#include <signal.h>

#include <atomic>

#include "tests/feed/feed_fixture.hpp"

using namespace declared::testing;

namespace {

// SIGTERM while the subscriber reads; returns once the daemon has exited 0.
void stop_daemon_while_reading(Daemon& d, Subscriber& s) {
    d.process.signal(SIGTERM);
    REQUIRE(s.until_end(15s));
    auto status = d.process.wait(15s);
    REQUIRE(status);
    CHECK(status->code == 0);
}

// What a subscriber got before it was closed (a) and after it resumed (b),
// joined: every event once, in order, the same as the reference.
void check_joined(const Subscriber& a, const Subscriber& b, const std::vector<FeedEvent>& reference) {
    std::vector<FeedEvent> both = a.events;
    both.insert(both.end(), b.events.begin(), b.events.end());
    REQUIRE(gap_or_repeat(both, 1) == "");
    REQUIRE(first_difference(both, reference) == "");
    CHECK(a.problems.empty());
    CHECK(b.problems.empty());
}

}  // namespace

TEST_CASE("feed: resume with since across a daemon restart: nothing missed, nothing twice", "[feed]") {
    Daemon d(multi_card(6, 5), {"--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    Subscriber a;
    REQUIRE(a.connect(d.port(), "?since=0"));
    std::vector<std::string> first, rest;
    for (int c = 0; c < 6; ++c)
        for (int w = 0; w < 5; ++w) (w < 3 ? first : rest).push_back(decl(c, w));
    push(d, first);
    const auto l1 = d.last_seq();
    REQUIRE(a.until(l1));

    stop_daemon_while_reading(d, a);
    INFO(a.close_reason());
    REQUIRE(a.close_code() == 1001);
    REQUIRE(a.resume_point());
    REQUIRE(a.events.size() > 0);
    CHECK(*a.resume_point() == a.events.back().seq);
    CHECK(*a.resume_point() == l1);

    REQUIRE(d.start());  // the same journal; a new port
    Subscriber b;
    REQUIRE(b.connect(d.port(), fmt::format("?since={}", *a.resume_point())));
    push(d, rest);
    push(d, {decl(0, 4, 2, "LAB")});
    auto ref = reference_events(d);
    REQUIRE(b.until(ref.last_seq));
    CHECK(b.hello_str("resume") == "since");
    CHECK(b.hello_str("notice") == "<absent>");

    check_joined(a, b, ref.events);
}

TEST_CASE("feed: SIGTERM while declarations stream in: the close says where to resume, and resuming misses nothing", "[feed]") {
    constexpr int kC = 12, kW = 10;
    Daemon d(multi_card(kC, kW), {"--feed.heartbeat_ms", "200"});
    REQUIRE(d.start());
    std::vector<std::string> all;
    for (int w = 0; w < kW; ++w)
        for (int c = 0; c < kC; ++c) all.push_back(decl(c, w));

    Subscriber a;
    REQUIRE(a.connect(d.port(), "?since=0"));
    REQUIRE(a.until(2));
    // One declaration per POST, until the daemon stops answering.
    std::atomic<bool> stop{false};
    std::atomic<int> acknowledged{0};
    const int port = d.port();
    std::thread pusher([&] {
        for (const auto& line : all) {
            if (stop) break;
            auto r = post_declarations(port, line + "\n", kToken);
            if (r.status != 200) break;
            ++acknowledged;
        }
    });
    // Let events flow, then stop the daemon mid-stream.
    while (a.cursor < 60 && a.step(5s)) {
    }
    d.process.signal(SIGTERM);
    a.until_end(15s);
    stop = true;
    pusher.join();
    auto status = d.process.wait(15s);
    REQUIRE(status);
    CHECK(status->code == 0);
    INFO(a.close_reason());
    REQUIRE(a.close_code() == 1001);
    REQUIRE(a.resume_point());
    CHECK(*a.resume_point() == a.events.back().seq);
    REQUIRE(acknowledged > 10);

    REQUIRE(d.start());
    // Everything acknowledged survived; the restarted daemon is at least where the subscriber was.
    REQUIRE(d.last_seq() >= *a.resume_point());
    Subscriber b;
    REQUIRE(b.connect(d.port(), fmt::format("?since={}", *a.resume_point())));
    for (std::size_t i = 0; i < all.size(); i += 30)
        push(d, std::vector<std::string>(all.begin() + static_cast<long>(i),
                                         all.begin() + static_cast<long>(std::min(all.size(), i + 30))));
    auto ref = reference_events(d);
    REQUIRE(b.until(ref.last_seq));
    check_joined(a, b, ref.events);
}
