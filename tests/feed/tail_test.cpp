// `declared tail --exec` as the newsroom alert bot: during a replay of the
// real 2022 night (imported from ../shared/data) pushed over HTTP, with the
// daemon restarted half-way on the same port, the command runs exactly once
// per control call or retraction, in seq order, with the event's bytes.
#include <functional>

#include "tests/feed/feed_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;

TEST_CASE("feed: declared tail --exec fires exactly once per control call of the 2022 night, across a daemon restart", "[feed][tail]") {
    if (!have_shared_data()) return;
    TempDir night;
    const std::string data = DECLARED_SHARED_DATA;
    auto imported = run_command(
        kDeclaredBinary,
        {"import", "leh", "--candidates", data + "/leh-2022/candidates.csv", "--councils",
         data + "/cbp9545-2022/councils-england.csv", "--baseline", data + "/leap-2018/leap-2018-05-03.csv", "--roster",
         data + "/opencouncildata/councillors-2021.csv", "--postponed", "Kingston upon Thames:New Malden Village",
         "--postponed", "Redbridge:Mayfield", "--out", night.path()},
        night.path());
    INFO(imported.err.substr(imported.err.size() > 2000 ? imported.err.size() - 2000 : 0));
    REQUIRE(imported.status.code == 0);
    auto declarations = lines_of(read_whole_file(night / "declarations.jsonl"));
    declarations.erase(std::remove(declarations.begin(), declarations.end(), ""), declarations.end());
    REQUIRE(declarations.size() > 2000);

    Daemon d(read_whole_file(night / "card.json"), {"--feed.heartbeat_ms", "300"});
    REQUIRE(d.start());
    const int port = d.port();

    const std::string alerts = d.dir / "alerts.jsonl";
    ChildProcess tail(kDeclaredBinary,
               {"tail", fmt::format("http://127.0.0.1:{}", port), "--types", "control_called,call_retracted",
                "--since", "0", "--format", "json", "--exec", "cat >> '" + alerts + "'"},
               d.dir / "tail.out", d.dir / "tail.err");
    REQUIRE(tail.running());
    REQUIRE(wait_for([&] { return read_whole_file(d.dir / "tail.err").find("tail: connected") != std::string::npos; },
                     10s));

    auto push_range = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; i += 100)
            push(d, std::vector<std::string>(declarations.begin() + static_cast<long>(i),
                                             declarations.begin() + static_cast<long>(std::min(to, i + 100))));
    };
    const std::size_t half = declarations.size() / 2;
    push_range(0, half);

    // Restart on the same port while tail is mid-stream (it may still be
    // running commands for the first half): tail reconnects and resumes.
    auto stopped = d.process.terminate(15s);
    CHECK(stopped.code == 0);
    auto args = d.args();
    std::replace(args.begin(), args.end(), std::string("127.0.0.1:0"), fmt::format("127.0.0.1:{}", port));
    REQUIRE(d.process.start(kDeclaredBinary, args, d.log_path));
    REQUIRE(d.port() == port);
    push_range(half, declarations.size());

    auto ref = reference_events(d);
    const auto calls = select(ref.events, Filter{{}, {}, {"control_called", "call_retracted"}});
    REQUIRE(calls.size() > 100);  // 146 councils, every one called once its control is certain
    // As many command runs as calls, and still that many a moment later (no repeats).
    const bool all_arrived =
        wait_for([&] { return lines_of(read_whole_file(alerts)).size() >= calls.size(); }, 60s);
    std::this_thread::sleep_for(800ms);
    auto got_lines = lines_of(read_whole_file(alerts));
    INFO(read_whole_file(d.dir / "tail.err").substr(0, 3000));
    CHECK(all_arrived);
    std::vector<FeedEvent> got;
    for (const auto& l : got_lines) {
        auto e = parse_event(l);
        REQUIRE(e);
        got.push_back(std::move(*e));
    }
    REQUIRE(first_difference(got, calls) == "");
    // tail printed the same events on stdout, and reconnected after the restart.
    CHECK(lines_of(read_whole_file(d.dir / "tail.out")) == got_lines);
    const auto err = read_whole_file(d.dir / "tail.err");
    CHECK(err.find("connected to 127.0.0.1:" + std::to_string(port) + " after seq") != std::string::npos);
}
