// declared upstream-sim: a recorded night served as the upstream feed the
// daemon polls. With every fault kind on (500s, timeouts, slow and truncated
// bodies, ETag churn) the daemon polling it still ends with the fault-free
// night's scoreboard and councils; the sim's report lists each fault kind.
#include <regex>

#include <catch2/catch.hpp>

#include "tests/rehearsal/rehearsal_night.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// upstream-sim as a child; its port from the line it prints when serving.
struct Sim {
    std::unique_ptr<ChildProcess> child;
    std::string out, err;
    int port = 0;
    Sim(const RehearsalNight& night, std::vector<std::string> extra) : out(night.dir / "sim.out"), err(night.dir / "sim.err") {
        std::vector<std::string> args{"upstream-sim", "--night", night.dir / "night", "--listen", "127.0.0.1:0"};
        args.insert(args.end(), extra.begin(), extra.end());
        child = std::make_unique<ChildProcess>(kBinary, args, out, err);
        static const std::regex serving(R"(on http://127\.0\.0\.1:(\d+)/ at)");
        std::smatch m;
        std::string text;
        REQUIRE(wait_for([&] { return std::regex_search(text = read_whole_file(err), m, serving); }, 15s));
        port = std::stoi(m[1].str());
    }
};

}  // namespace

TEST_CASE("upstream-sim serves the night as the poller reads it: JSON lines, an ETag, 304 when unchanged",
          "[rehearsal][upstream-sim]") {
    RehearsalNight night(2, 31);
    Sim sim(night, {"--speed", "max", "--stay"});
    auto full = request(sim.port, "GET", "/feed");
    REQUIRE(full.status == 200);
    std::string expected;
    for (std::string all = read_whole_file(night.declarations), line; !all.empty();) {
        line = all.substr(0, all.find('\n'));
        all.erase(0, std::min(all.size(), line.size() + 1));
        if (!line.empty()) expected += line + "\n";
    }
    CHECK(full.body == expected);
    CHECK(!full.header("etag").empty());
    auto again = request(sim.port, "GET", "/feed", {{"If-None-Match", full.header("etag")}});
    CHECK(again.status == 304);
    CHECK(sim.child->stop(SIGTERM).code == 0);
    CHECK(read_whole_file(sim.out).find("upstream-sim report") != std::string::npos);
}

TEST_CASE("upstream-sim at a finite speed releases declarations over time and reports on SIGTERM",
          "[rehearsal][upstream-sim]") {
    RehearsalNight night(2, 32);
    Sim sim(night, {"--speed", "1"});  // a night at real speed: only the first declarations are out
    auto first = request(sim.port, "GET", "/feed");
    REQUIRE(first.status == 200);
    CHECK(first.body.size() < read_whole_file(night.declarations).size() / 2);
    const auto ended = sim.child->stop(SIGTERM);
    CHECK(ended.code == 0);
    const auto report = read_whole_file(sim.out);
    CHECK(report.find("upstream-sim report") != std::string::npos);
    CHECK(report.find("the night is NOT over") != std::string::npos);
}

TEST_CASE("serve polling upstream-sim with every fault kind ends with the fault-free night's state",
          "[rehearsal][upstream-sim]") {
    RehearsalNight night(6, 33);
    Sim sim(night, {"--speed", "40000", "--faults", "all", "--seed", "5", "--poller-timeout-ms", "1000", "--report",
                    night.dir / "sim.json"});
    DaemonProcess daemon;
    auto args = night.serve_args(0);
    args.insert(args.end(), {"--upstream.url", "http://127.0.0.1:" + std::to_string(sim.port) + "/feed",
                             "--upstream.interval_ms", "100", "--upstream.timeout_ms", "1000"});
    REQUIRE(daemon.start(kBinary, args, night.dir / "serve.log"));

    // The sim ends by itself once the poller holds the whole night.
    REQUIRE(wait_for([&] { return !sim.child->running(); }, 90s));
    CHECK(sim.child->stop().code == 0);
    INFO(read_whole_file(sim.err));
    auto report = read_report(night.dir / "sim.json");
    CHECK(kinds_injected(report) == std::set<std::string>{"etag_churn", "http500", "slow_body", "timeout", "truncated"});
    CHECK(report.at("night_over").as_bool());
    CHECK(report.at("never_injected").as_array().empty());
    CHECK(read_whole_file(sim.out).find("the night is over") != std::string::npos);

    CHECK(wait_for([&] { return get(daemon.port(), "/v1/scoreboard").body == night.offline_summary; }, 20s));
    auto check = run_command(kBinary, {"replay", "--to", night.url(daemon.port()), "--check", "--card", night.card,
                                       "--declarations", night.declarations},
                             night.dir.path());
    INFO(check.out);
    CHECK(check.status.code == 0);
    CHECK(check.out.find("EQUAL") != std::string::npos);
}
