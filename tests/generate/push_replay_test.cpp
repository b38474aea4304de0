// declared replay --to: a generated night pushed into the real daemon ends
// with exactly the scoreboard of the offline replay, also when the daemon is
// killed and restarted in the middle.
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/daemon_process.hpp"
#include "tests/support/generated_night.hpp"
#include "tests/support/http_client.hpp"

using namespace declared::testing;

namespace {

const std::string kBinary = DECLARED_BINARY;

// The generated night of tests/support/generated_night.hpp.
using Night = GeneratedNight;

}  // namespace

TEST_CASE("generate writes byte-identical files for the same arguments", "[generate][command]") {
    TempDir dir;
    for (const char* out : {"a", "b"}) {
        auto r = run_command(kBinary, {"generate", "--seed", "11", "--councils", "30", "--out", dir / out}, dir.path());
        INFO(r.err);
        REQUIRE(r.status.code == 0);
    }
    CHECK(read_whole_file(dir / "a/card.json") == read_whole_file(dir / "b/card.json"));
    CHECK(read_whole_file(dir / "a/declarations.jsonl") == read_whole_file(dir / "b/declarations.jsonl"));
    CHECK(read_whole_file(dir / "a/card.json").find("\"test\": false") != std::string::npos);
}

TEST_CASE("replay --to at max speed: the daemon's scoreboard equals the offline summary", "[generate][push]") {
    Night night(15, 3);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, night.serve_args(0), night.dir / "serve.log"));
    auto push = night.push(daemon.port(), "max", "t");
    INFO(push.err);
    CHECK(push.status.code == 0);
    CHECK(push.err.find("councils complete") != std::string::npos);
    CHECK(push.err.find("15/15 councils complete") != std::string::npos);
    CHECK(push.err.find("0 refused") != std::string::npos);
    auto sb = get(daemon.port(), "/v1/scoreboard");
    CHECK(sb.status == 200);
    CHECK(sb.body == night.offline_summary);

    // Sending the night again changes nothing: every line is a duplicate.
    auto again = night.push(daemon.port(), "", "t");
    CHECK(again.status.code == 0);
    CHECK(again.err.find(" 0 accepted, 0 corrected") != std::string::npos);
    CHECK(get(daemon.port(), "/v1/scoreboard").body == night.offline_summary);
}

TEST_CASE("replay --to with a wrong token stops with the daemon's refusal", "[generate][push]") {
    Night night(3, 4);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, night.serve_args(0), night.dir / "serve.log"));
    auto push = night.push(daemon.port(), "", "nope");
    CHECK(push.status.code == 1);
    CHECK(push.err.find("HTTP 403") != std::string::npos);
}

TEST_CASE("replay --to survives a daemon killed and restarted mid-replay", "[generate][push]") {
    Night night(12, 5);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, night.serve_args(0), night.dir / "serve.log"));
    const int port = daemon.port();
    // About 18 hours of night at 20,000x: a second or so of pushing.
    auto replay = std::async(std::launch::async, [&] {
        return night.push(port, "20000", "t");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    daemon.kill9();
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    REQUIRE(daemon.start(kBinary, night.serve_args(port), night.dir / "serve.log"));
    auto push = replay.get();
    INFO(push.err);
    CHECK(push.status.code == 0);
    CHECK(push.err.find("0 refused") != std::string::npos);
    CHECK(get(port, "/v1/scoreboard").body == night.offline_summary);
}

TEST_CASE("replay --to reconnects quietly when the daemon closed an idle keep-alive connection", "[generate][push]") {
    // The daemon closes connections idle for longer than its request timeout;
    // at this speed the night's quiet hours leave the replay's connection idle
    // that long several times. Each time, the next POST finds it closed.
    Night night(4, 6);
    DaemonProcess daemon;
    auto args = night.serve_args(0);
    args.insert(args.end(), {"--limits.request_timeout_ms", "100"});
    REQUIRE(daemon.start(kBinary, args, night.dir / "serve.log"));
    auto push = night.push(daemon.port(), "15000", "t");
    INFO(push.err);
    CHECK(push.status.code == 0);
    CHECK(push.err.find("unavailable") == std::string::npos);
    CHECK(push.err.find("0 refused") != std::string::npos);
    CHECK(get(daemon.port(), "/v1/scoreboard").body == night.offline_summary);
}
