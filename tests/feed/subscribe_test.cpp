// The live feed against the real daemon: hello, snapshot, live events in seq
// order with no gaps; filters; since=0, a since ahead of the feed, and a since
// from another election. Every stream is compared seq by seq (and byte for
// byte) with GET /v1/events.
#include "tests/feed/feed_fixture.hpp"

using namespace declared::testing;

namespace {

constexpr int kCouncils = 6, kWards = 5;

// The first part of the night: wards 0-2 of every council.
std::vector<std::string> first_part() {
    std::vector<std::string> lines;
    for (int c = 0; c < kCouncils; ++c)
        for (int w = 0; w < 3; ++w) lines.push_back(decl(c, w));
    return lines;
}

// The rest, one batch per council, then corrections: council 0's ward 4
// flips to LAB (its CON call is retracted and LAB's made), council 1's ward 0
// is recounted with the same winner.
void push_rest(const Daemon& d) {
    for (int c = 0; c < kCouncils; ++c) push(d, {decl(c, 3), decl(c, 4)});
    push(d, {decl(0, 4, 2, "LAB"), decl(1, 0, 2)});
}

Daemon feed_daemon(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--feed.heartbeat_ms", "200"});
    return Daemon(multi_card(kCouncils, kWards), extra);
}

std::size_t count_type(const std::vector<FeedEvent>& events, const std::string& type) {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.type == type; }));
}

}  // namespace

TEST_CASE("feed: hello, a snapshot of current state, then every live event in seq order", "[feed]") {
    auto d = feed_daemon();
    REQUIRE(d.start());
    // Start-up already published the settled council's call and a scoreboard.
    auto at_start = reference_events(d);
    REQUIRE(at_start.last_seq == 2);
    REQUIRE(at_start.events[0].type == "control_called");
    REQUIRE(at_start.events[0].council == kSettled);

    push(d, first_part());
    auto ref1 = reference_events(d);
    const auto l1 = ref1.last_seq;
    REQUIRE(l1 > 40);
    REQUIRE(count_type(ref1.events, "control_called") == 1);  // only the settled council so far

    Subscriber s;
    REQUIRE(s.connect(d.port(), ""));
    REQUIRE(s.until(l1));
    CHECK(s.hello_str("election") == kElection);
    CHECK(s.hello_str("test") == "true");
    CHECK(s.hello_str("seq") == std::to_string(l1));
    CHECK(s.hello_str("oldest_seq") == "1");
    CHECK(s.hello_str("resume") == "snapshot");
    CHECK(s.hello_str("notice") == "<absent>");
    REQUIRE(s.snapshot_seq == l1);
    const auto want_snapshot = expected_snapshot(ref1.events, l1);
    // The settled council's start-up call, every council's newest composition
    // and only the newest scoreboard.
    REQUIRE(want_snapshot.size() == 1 + kCouncils + 1);
    REQUIRE(want_snapshot.front().council == kSettled);
    REQUIRE(want_snapshot.back().type == "scoreboard");
    REQUIRE(want_snapshot.back().seq == l1);
    REQUIRE(first_difference(s.snapshot, want_snapshot) == "");
    CHECK(s.events.empty());

    push_rest(d);
    auto ref2 = reference_events(d);
    REQUIRE(count_type(ref2.events, "call_retracted") == 1);
    REQUIRE(s.until(ref2.last_seq));
    INFO(s.problems_text());
    CHECK(s.problems.empty());
    // Every seq after the snapshot exactly once, in order, as /v1/events has it.
    REQUIRE(gap_or_repeat(s.events, l1 + 1) == "");
    REQUIRE(first_difference(s.events, select(ref2.events, {}, l1)) == "");

    // A subscriber joining now sees the retraction's aftermath: council 0's
    // newest call (LAB), not the retracted CON one.
    Subscriber late;
    REQUIRE(late.connect(d.port(), ""));
    REQUIRE(late.until(ref2.last_seq));
    REQUIRE(late.snapshot_seq == ref2.last_seq);
    REQUIRE(first_difference(late.snapshot, expected_snapshot(ref2.events, ref2.last_seq)) == "");
    CHECK(late.events.empty());
    CHECK(late.problems.empty());

    // Idle: heartbeats carry the current seq.
    REQUIRE(s.step(3s));
    REQUIRE(!s.heartbeats.empty());
    CHECK(s.heartbeats.back() == ref2.last_seq);
}

TEST_CASE("feed: councils=, regions= and types= deliver exactly the matching events", "[feed]") {
    auto d = feed_daemon();
    REQUIRE(d.start());
    push(d, first_part());

    struct Case {
        std::string query;
        Filter filter;
    };
    const std::vector<Case> cases{
        {"councils=" + council_id(0) + "," + council_id(4), {{council_id(0), council_id(4)}, {}, {}}},
        {"regions=London", {{}, {"London"}, {}}},
        {"regions=North%20West,Wales", {{}, {"North West", "Wales"}, {}}},
        {"types=control_called,call_retracted", {{}, {}, {"control_called", "call_retracted"}}},
        {"types=ward_declared", {{}, {}, {"ward_declared"}}},
        {"councils=" + council_id(1) + "&types=council_updated,scoreboard",
         {{council_id(1)}, {}, {"council_updated", "scoreboard"}}},
        {"councils=" + council_id(0) + "&regions=Wales", {{council_id(0)}, {"Wales"}, {}}},
    };
    // Each filter twice: from since=0 (a replay, then live) and without since
    // (a filtered snapshot, then live).
    std::vector<std::unique_ptr<Subscriber>> replay, snap;
    for (const auto& c : cases) {
        replay.push_back(std::make_unique<Subscriber>());
        REQUIRE(replay.back()->connect(d.port(), "?since=0&" + c.query));
        snap.push_back(std::make_unique<Subscriber>());
        REQUIRE(snap.back()->connect(d.port(), "?" + c.query));
    }
    const auto l1 = d.last_seq();
    for (auto& s : snap) REQUIRE(s->until(l1));
    push_rest(d);
    auto ref = reference_events(d);
    REQUIRE(count_type(ref.events, "call_retracted") == 1);

    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO(cases[i].query);
        auto& r = *replay[i];
        REQUIRE(r.until(ref.last_seq));
        INFO(r.problems_text());
        CHECK(r.problems.empty());
        CHECK(r.hello_str("resume") == "since");
        auto want = select(ref.events, cases[i].filter);
        REQUIRE(!want.empty());
        REQUIRE(first_difference(r.events, want) == "");

        auto& s = *snap[i];
        REQUIRE(s.until(ref.last_seq));
        INFO(s.problems_text());
        CHECK(s.problems.empty());
        REQUIRE(s.snapshot_seq == l1);
        REQUIRE(first_difference(s.snapshot, expected_snapshot(ref.events, l1, cases[i].filter)) == "");
        REQUIRE(first_difference(s.events, select(ref.events, cases[i].filter, l1)) == "");
    }
    // National scoreboards reach council and region subscribers.
    const auto scoreboards = count_type(ref.events, "scoreboard");
    REQUIRE(scoreboards > 10);
    CHECK(count_type(replay[0]->events, "scoreboard") == scoreboards);
    CHECK(count_type(replay[1]->events, "scoreboard") == scoreboards);
    // and a council filter really filters: council 4's events are there, council 2's are not.
    CHECK(std::any_of(replay[0]->events.begin(), replay[0]->events.end(),
                      [](const auto& e) { return e.council == council_id(4); }));
    CHECK(std::none_of(replay[0]->events.begin(), replay[0]->events.end(),
                       [](const auto& e) { return e.council == council_id(2); }));
}

TEST_CASE("feed: since=0 replays everything, since=N resumes after N, a since ahead or from another election gets a snapshot and a notice", "[feed]") {
    auto d = feed_daemon();
    REQUIRE(d.start());
    push(d, first_part());
    auto ref = reference_events(d);
    const auto last = ref.last_seq;

    SECTION("since=0: every event from seq 1") {
        Subscriber s;
        REQUIRE(s.connect(d.port(), "?since=0"));
        REQUIRE(s.until(last));
        CHECK(s.hello_str("resume") == "since");
        CHECK(s.hello_str("since") == "0");
        CHECK(s.hello_str("notice") == "<absent>");
        CHECK(!s.snapshot_seq);
        REQUIRE(gap_or_repeat(s.events, 1) == "");
        REQUIRE(first_difference(s.events, ref.events) == "");
        // then live
        push(d, {decl(5, 3)});
        auto ref2 = reference_events(d);
        REQUIRE(s.until(ref2.last_seq));
        REQUIRE(first_difference(s.events, ref2.events) == "");
        CHECK(s.problems.empty());
    }
    SECTION("since=N in the middle, and since=last (nothing missed yet)") {
        for (std::uint64_t since : {last / 2, last}) {
            INFO("since=" << since);
            Subscriber s;
            REQUIRE(s.connect(d.port(), fmt::format("?since={}", since)));
            REQUIRE(s.until(since));
            CHECK(s.hello_str("resume") == "since");
            REQUIRE(s.until(last));
            REQUIRE(first_difference(s.events, select(ref.events, {}, since)) == "");
            CHECK(s.problems.empty());
        }
    }
    SECTION("since ahead of the feed: a snapshot, and a notice saying why") {
        Subscriber s;
        REQUIRE(s.connect(d.port(), fmt::format("?since={}", last + 1000)));
        REQUIRE(s.until(last));
        CHECK(s.hello_str("resume") == "snapshot");
        CHECK(s.hello_str("notice").find("ahead") != std::string::npos);
        CHECK(s.hello_str("notice").find(std::to_string(last + 1000)) != std::string::npos);
        REQUIRE(s.snapshot_seq == last);
        REQUIRE(first_difference(s.snapshot, expected_snapshot(ref.events, last)) == "");
        CHECK(s.events.empty());
        CHECK(s.problems.empty());
    }
    SECTION("since from another election: a snapshot and a notice; this election's since is honoured") {
        Subscriber other;
        REQUIRE(other.connect(d.port(), "?since=3&election=local.2021-05-06"));
        REQUIRE(other.until(last));
        CHECK(other.hello_str("resume") == "snapshot");
        CHECK(other.hello_str("notice").find("local.2021-05-06") != std::string::npos);
        REQUIRE(other.snapshot_seq == last);
        REQUIRE(first_difference(other.snapshot, expected_snapshot(ref.events, last)) == "");
        CHECK(other.events.empty());

        Subscriber same;
        REQUIRE(same.connect(d.port(), std::string("?since=3&election=") + kElection));
        REQUIRE(same.until(last));
        CHECK(same.hello_str("resume") == "since");
        CHECK(same.hello_str("notice") == "<absent>");
        REQUIRE(first_difference(same.events, select(ref.events, {}, 3)) == "");
    }
}

TEST_CASE("feed: a since older than the events kept gets a snapshot and a notice and then live events", "[feed]") {
    auto d = feed_daemon({"--feed.retain", "20"});
    REQUIRE(d.start());
    push(d, first_part());
    auto ref = reference_events(d);
    const auto last = ref.last_seq;
    REQUIRE(last > 40);  // far more than the 20 kept

    Subscriber s;
    REQUIRE(s.connect(d.port(), "?since=1"));
    REQUIRE(s.until(last));
    CHECK(s.hello_str("resume") == "snapshot");
    CHECK(s.hello_str("notice").find("older than the oldest event kept") != std::string::npos);
    CHECK(s.hello_str("oldest_seq") == std::to_string(last - 19));
    REQUIRE(s.snapshot_seq == last);
    CHECK(s.events.empty());
    // Live events follow the snapshot without a gap.
    push(d, {decl(5, 3)});
    auto ref2 = reference_events(d);
    REQUIRE(ref2.last_seq > last);
    REQUIRE(s.until(ref2.last_seq));
    REQUIRE(gap_or_repeat(s.events, last + 1) == "");
    CHECK(s.problems.empty());

    // A since still within what is kept is honoured as usual.
    Subscriber recent;
    REQUIRE(recent.connect(d.port(), fmt::format("?since={}", ref2.last_seq - 5)));
    REQUIRE(recent.until(ref2.last_seq));
    CHECK(recent.hello_str("resume") == "since");
    REQUIRE(gap_or_repeat(recent.events, ref2.last_seq - 4) == "");
}
