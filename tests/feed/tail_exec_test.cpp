// `declared tail --exec` must not die, and must not skip an event without a
// word, whatever its command does: exits at once, never reads its stdin,
// fails, or hangs. Each case follows a whole night from seq 0 and checks
// every event against GET /v1/events.
#include <algorithm>
#include <map>
#include <set>

#include "tests/feed/feed_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;

namespace {

// A daemon holding a whole small night: every ward of 8 councils declared.
struct Night {
    Daemon d{multi_card(8, 12), {"--feed.heartbeat_ms", "300"}};
    std::vector<FeedEvent> events;  // every event of the night, from GET /v1/events
    Night() {
        REQUIRE(d.start());
        std::vector<std::string> lines;
        for (int c = 0; c < 8; ++c)
            for (int w = 0; w < 12; ++w) lines.push_back(decl(c, w));
        push(d, lines);
        events = reference_events(d).events;
        REQUIRE(events.size() > 150);
    }
    std::vector<std::uint64_t> seqs(const Filter& f = {}) const {
        std::vector<std::uint64_t> out;
        for (const auto& e : select(events, f)) out.push_back(e.seq);
        return out;
    }
    std::vector<std::string> tail_args(const std::string& exec, std::vector<std::string> more = {}) const {
        std::vector<std::string> a{"tail", fmt::format("http://127.0.0.1:{}", d.port()), "--since", "0", "--format",
                                   "json", "--exec", exec};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    }
};

std::vector<std::uint64_t> seqs_in(const std::string& text) {
    std::vector<std::uint64_t> out;
    for (const auto& l : lines_of(text))
        if (!l.empty()) out.push_back(std::stoull(l));
    return out;
}

std::vector<std::uint64_t> printed_seqs(const std::string& stdout_text) {
    std::vector<std::uint64_t> out;
    for (const auto& l : lines_of(stdout_text))
        if (auto e = parse_event(l)) out.push_back(e->seq);
    return out;
}

}  // namespace

TEST_CASE("tail --exec: a command that exits at once or never reads its stdin never kills tail", "[feed][tail]") {
    Night night;
    const auto want = night.seqs();
    // Twenty runs over the whole night: the old tail died of SIGPIPE within a few hundred events.
    for (int run = 0; run < 20; ++run) {
        INFO("run " << run);
        TempDir dir;
        const std::string ran = dir / "ran";
        const std::string cmd = run % 2 ? "exec 0<&-; echo \"$DECLARED_SEQ\" >> '" + ran + "'"
                                        : "echo \"$DECLARED_SEQ\" >> '" + ran + "'; exit 0";
        ChildProcess tail(kDeclaredBinary, night.tail_args(cmd), dir / "out", dir / "err");
        const bool all = wait_for([&] { return seqs_in(read_whole_file(ran)).size() >= want.size() || !tail.running(); }, 120s);
        INFO(read_whole_file(dir / "err").substr(0, 2000));
        CHECK(all);
        REQUIRE(tail.running());
        CHECK(seqs_in(read_whole_file(ran)) == want);
        CHECK(printed_seqs(read_whole_file(dir / "out")) == want);
        auto st = tail.stop(SIGTERM);
        CHECK(st.signal == 0);
        CHECK(st.code == 0);
    }
}

TEST_CASE("tail --exec: a failing command is retried, and every event runs exactly once", "[feed][tail]") {
    Night night;
    TempDir dir;
    const std::string ok = dir / "ok";
    // Fails on the first attempt for each event, succeeds on the second.
    const std::string cmd = "f='" + dir.path() + "/tried.'$DECLARED_SEQ; if [ -e \"$f\" ]; then echo $DECLARED_SEQ >> '" +
                            ok + "'; else : > \"$f\"; exit 5; fi";
    Filter calls{{}, {}, {"control_called", "call_retracted"}};
    const auto want = night.seqs(calls);
    ChildProcess tail(kDeclaredBinary,
                      night.tail_args(cmd, {"--types", "control_called,call_retracted", "--exec-retries", "1"}),
                      dir / "out", dir / "err");
    CHECK(wait_for([&] { return seqs_in(read_whole_file(ok)).size() >= want.size() || !tail.running(); }, 120s));
    INFO(read_whole_file(dir / "err").substr(0, 2000));
    REQUIRE(tail.running());
    CHECK(seqs_in(read_whole_file(ok)) == want);
    CHECK(read_whole_file(dir / "err").find("--exec failed") == std::string::npos);
    CHECK(tail.stop(SIGTERM).code == 0);
}

TEST_CASE("tail --exec: a command that hangs is killed at its timeout, and each such event is reported", "[feed][tail]") {
    Night night;
    TempDir dir;
    const std::string started = dir / "started";
    Filter calls{{}, {}, {"control_called"}};
    const auto want = night.seqs(calls);
    REQUIRE(want.size() >= 8);
    const std::string cmd = "echo $DECLARED_SEQ >> '" + started + "'; exec tail -f /dev/null";
    ChildProcess tail(kDeclaredBinary,
                      night.tail_args(cmd, {"--types", "control_called", "--exec-timeout-ms", "150", "--exec-retries", "1"}),
                      dir / "out", dir / "err");
    auto reported = [&] {
        std::vector<std::uint64_t> out;
        const std::string err = read_whole_file(dir / "err");
        for (const auto& l : lines_of(err)) {
            const std::string mark = "tail: --exec failed for seq ";
            if (l.starts_with(mark) && l.find("killed after its 150 ms timeout after 2 attempts") != std::string::npos)
                out.push_back(std::stoull(l.substr(mark.size())));
        }
        return out;
    };
    CHECK(wait_for([&] { return reported().size() >= want.size() || !tail.running(); }, 120s));
    INFO(read_whole_file(dir / "err").substr(0, 3000));
    REQUIRE(tail.running());
    CHECK(reported() == want);
    // Two attempts per event, in order. On a loaded machine an attempt can be
    // killed before its shell has even written the mark, so each event's mark
    // is there at most twice, and never for an event that was not run.
    std::map<std::uint64_t, int> marks;
    for (auto s : seqs_in(read_whole_file(started))) ++marks[s];
    for (const auto& [seq, n] : marks) {
        INFO("seq " << seq);
        CHECK(std::find(want.begin(), want.end(), seq) != want.end());
        CHECK(n <= 2);
    }
    CHECK(!marks.empty());
    // Stopped, it says in its status that some events' commands did not succeed.
    auto st = tail.stop(SIGTERM);
    CHECK(st.signal == 0);
    CHECK(st.code == 3);
}
