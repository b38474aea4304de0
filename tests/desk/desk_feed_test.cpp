// What subscribers see of the desk: the WebSocket feed and the event stream
// never carry a call the desk has not released (an embargo, a proposal), and
// carry it once it is; a timed embargo ends by itself through the journal.
#include <catch2/catch.hpp>

#include "tests/desk/desk_fixture.hpp"
#include "tests/feed/sse_fixture.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> types_of(const std::vector<FeedEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.type);
    return out;
}
bool has(const std::vector<FeedEvent>& events, const std::string& type) {
    for (const auto& e : events)
        if (e.type == type) return true;
    return false;
}

}  // namespace

TEST_CASE("desk: an embargo holds calls from the feed and the stream while results go on, lifting releases them",
          "[desk][feed]") {
    DeskDaemon d;
    REQUIRE(d.start());
    Subscriber ws;
    SseSubscriber sse;
    REQUIRE(ws.connect(d.port(), "?since=0"));
    REQUIRE(sse.connect(d.port(), "?since=0"));
    d.must(action("embargo", "hold every call until the 6am bulletin"));
    declare_lab_win(d);
    const auto during = d.last_seq();
    REQUIRE(ws.until(during));
    REQUIRE(sse.until(during));
    CHECK(has(ws.events, "ward_declared"));
    CHECK(has(ws.events, "embargo_set"));
    CHECK_FALSE(has(ws.events, "control_called"));
    CHECK_FALSE(has(sse.events, "control_called"));
    CHECK(jstr(d.scoreboard(), "by_council.0.status") == "undecided");
    CHECK(jstr(d.get(std::string("/v1/councils/") + kTesthamCouncil).body, "control") == "null");
    CHECK(jstr(d.desk(), "embargo.held.0") == kTesthamCouncil);
    d.restart_and_compare();

    Subscriber after;  // a subscriber of the restarted daemon, resuming where the first left off
    REQUIRE(after.connect(d.port(), "?since=" + std::to_string(during)));
    d.must(action("lift_embargo", "bulletin is out"));
    const auto lifted = d.last_seq();
    REQUIRE(after.until(lifted));
    CHECK(types_of(after.events) ==
          std::vector<std::string>{"embargo_lifted", "control_called", "council_updated", "scoreboard"});
    CHECK(jstr(parse_json(after.events[1].raw), "data.control") == "LAB");
    // Byte for byte what GET /v1/events serves.
    CHECK(first_difference(after.events, select(reference_events(d).events, {}, during)) == "");
    d.restart_and_compare();
}

TEST_CASE("desk: under approve, subscribers see the proposal and no call until it is approved", "[desk][feed]") {
    DeskDaemon d;
    REQUIRE(d.start());
    auto policy = action("policy", "approve every call");
    policy["policy"] = "approve";
    d.must(policy);
    SseSubscriber sse;
    REQUIRE(sse.connect(d.port(), "?since=0&types=control_called,call_proposed"));
    declare_lab_win(d);
    Subscriber ws;
    REQUIRE(ws.connect(d.port(), "?since=0"));
    REQUIRE(ws.until(d.last_seq()));
    CHECK(has(ws.events, "call_proposed"));
    CHECK_FALSE(has(ws.events, "control_called"));
    d.must(on(action("approve", "checked")));
    REQUIRE(ws.until(d.last_seq()));
    REQUIRE(sse.until(d.last_seq()));
    CHECK(types_of(sse.events) == std::vector<std::string>{"call_proposed", "control_called"});
    CHECK(ws.problems.empty());
    CHECK(sse.problems.empty());
}

TEST_CASE("desk: an embargo with an end lifts itself at that time, journalled like any action", "[desk][feed]") {
    DeskDaemon d;
    REQUIRE(d.start());
    // Two seconds from now, in UTC, to the second.
    const auto now = std::chrono::system_clock::now() + 2s;
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char until[32];
    std::strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
    auto embargo = action("embargo", "until the top of the bulletin");
    embargo["until"] = until;
    d.must(embargo);
    declare_lab_win(d);
    CHECK(d.of_type("control_called").empty());
    REQUIRE(wait_for([&] { return !d.of_type("embargo_lifted").empty(); }, 30s));
    auto lifted = d.of_type("embargo_lifted");
    CHECK(jstr(boost::json::value(lifted[0]), "data.desk.name") == "embargo timer");
    REQUIRE(wait_for([&] { return d.of_type("control_called").size() == 1; }, 10s));
    d.restart_and_compare();
    CHECK(d.of_type("embargo_lifted").size() == 1);  // replayed, not lifted twice
}
