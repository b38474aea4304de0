// Strangers exhausting the daemon, bounded and on loopback only: readers that
// never read large pages. The daemon must stay responsive, hold no copy of a
// page per reader, and let them go at the write deadline.
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

long rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

std::string metric(const Daemon& d, const std::string& name) {
    const std::string body = d.get("/metrics").body;
    auto at = body.find("\n" + name + " ");
    if (at == std::string::npos) return "";
    at += name.size() + 2;
    return body.substr(at, body.find('\n', at) - at);
}

}  // namespace

TEST_CASE("exhaustion: readers that never read big pages cost no copy each and are closed at the write deadline", "[exhaustion]") {
    constexpr int kWards = 1500;
    Daemon d{generated_card(kWards), {"--limits.request_timeout_ms", "1500", "--limits.max_body_bytes", "8000000"}};
    REQUIRE(d.start());
    std::string body;
    for (int w = 0; w < kWards; ++w) body += gen_declaration(w, 1) + "\n";
    REQUIRE(d.post(body).status == 200);
    const auto page = d.get("/v1/events?since=0&limit=10000");
    REQUIRE(page.status == 200);
    REQUIRE(page.body.size() > 2'000'000);  // each reader asks for megabytes

    const long before = rss_kib(d.process.pid());
    constexpr int kReaders = 120;
    std::vector<std::unique_ptr<Connection>> readers;
    for (int i = 0; i < kReaders; ++i) {
        readers.push_back(std::make_unique<Connection>(d.port(), 10s));
        REQUIRE(readers.back()->connected());
        readers.back()->shrink_receive_buffer();
        REQUIRE(readers.back()->send(format_request("GET", "/v1/events?since=0&limit=10000", {}, {}, true)));
    }
    // While they hang on: health answers at once, and no page was copied per reader.
    REQUIRE(wait_for([&] { return metric(d, "declared_http_requests_total") >= std::to_string(kReaders); }, 10s));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(d.get("/healthz").status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
    const long during = rss_kib(d.process.pid());
    INFO("RSS before " << before << " KiB, with " << kReaders << " stuck readers " << during << " KiB; page "
                       << page.body.size() << " bytes");
    // A copy each would be readers x page; shared bytes cost pointers and socket
    // buffers (a sanitizer's allocator holds freed blocks too: hence half).
    CHECK(during - before < static_cast<long>(kReaders * page.body.size() / 2 / 1024));
    // At the write deadline they are closed.
    CHECK(wait_for([&] { return metric(d, "declared_connections") == "1"; }, 15s));
}

TEST_CASE("exhaustion: silent sockets filling every connection cannot lock out ingest or health", "[exhaustion]") {
    Daemon d{generated_card(40), {"--limits.max_connections", "50", "--limits.max_connections_per_address", "40",
                                  "--limits.request_timeout_ms", "20000"}};
    REQUIRE(d.start());
    // Four times the limit of sockets that connect and never send a byte.
    std::vector<std::unique_ptr<Connection>> silent;
    for (int i = 0; i < 200; ++i) {
        silent.push_back(std::make_unique<Connection>(d.port(), 5s));
        REQUIRE(silent.back()->connected());
    }
    for (int round = 0; round < 10; ++round) {
        INFO("round " << round);
        const auto t0 = std::chrono::steady_clock::now();
        auto health = d.get("/healthz");
        CHECK(health.status == 200);
        // Answered, and long before a silent socket's 10 s: not a timing target
        // (a sanitizer build on a loaded machine took over 100 ms here once);
        // the 100 ms figure is measured as a benchmark, not asserted in a test.
        CHECK(std::chrono::steady_clock::now() - t0 < 3s);
        auto r = d.post(gen_declaration(round, 1), "application/json");
        CHECK(r.status == 200);
        silent.push_back(std::make_unique<Connection>(d.port(), 5s));  // and the attack goes on
    }
    CHECK(jstr(d.scoreboard(), "wards_declared") == "10");
}

TEST_CASE("exhaustion: out of file descriptors, the daemon answers 503, does not spin, and recovers", "[exhaustion]") {
#ifdef DECLARED_SANITIZED
    // UBSan's vptr check opens a pipe to probe memory: with no descriptor
    // left it reports a bad vptr that is not there. The release build runs it.
    std::printf("SKIPPED: a sanitizer build cannot run out of descriptors without false reports\n");
    return;
#endif
    Daemon d{generated_card(10)};
    REQUIRE(d.start());
    // Room for only a few more descriptors than the daemon holds now.
    std::size_t open_fds = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(d.process.pid()) + "/fd")) {
        (void)e;
        ++open_fds;
    }
    struct rlimit lim {};
    lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(open_fds + 8);
    REQUIRE(::prlimit(d.process.pid(), RLIMIT_NOFILE, &lim, nullptr) == 0);

    std::vector<std::unique_ptr<Connection>> held;
    for (int i = 0; i < 60; ++i) held.push_back(std::make_unique<Connection>(d.port(), 5s));
    // Connections beyond the descriptors are answered 503 and closed, not left hanging.
    Connection extra(d.port(), 5s);
    REQUIRE(extra.send(format_request("GET", "/healthz")));
    auto refused = extra.read_response();
    INFO("daemon log:\n" << d.process.log().substr(0, 4000));
    CHECK(refused.status == 503);
    CHECK(jstr(refused.body, "error.code") == "no_descriptors");
    // Not spinning: under half a core over a second, and the log says so at most once a second.
    auto cpu_ticks = [&] {
        std::ifstream in("/proc/" + std::to_string(d.process.pid()) + "/stat");
        std::string all((std::istreambuf_iterator<char>(in)), {});
        std::istringstream fields(all.substr(all.rfind(')') + 2));
        std::string f;
        long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && fields >> f; ++i) {
            if (i == 14) utime = std::stol(f);
            if (i == 15) stime = std::stol(f);
        }
        return utime + stime;
    };
    const long ticks0 = cpu_ticks();
    const auto t0 = std::chrono::steady_clock::now();
    Connection more(d.port(), 5s);  // keeps a connection waiting in the backlog meanwhile
    while (std::chrono::steady_clock::now() - t0 < 1s) (void)extra.wait_closed(100ms);
    const long used = cpu_ticks() - ticks0;
    CHECK(used < ::sysconf(_SC_CLK_TCK) / 2);
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = d.process.log().find("accept: ", at)) != std::string::npos; ++at) ++lines;
    CHECK(lines <= 5);
    // The held connections go: it serves again.
    held.clear();
    CHECK(wait_for([&] { return d.get("/healthz").status == 200; }, 10s));
}

TEST_CASE("exhaustion: one address cannot take every subscriber place", "[exhaustion]") {
    Daemon d{generated_card(10), {"--feed.max_subscribers_per_address", "3"}};
    REQUIRE(d.start());
    const std::string upgrade = format_request("GET", "/v1/feed?since=0",
                                               {{"Upgrade", "websocket"}, {"Connection", "Upgrade"},
                                                {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                                {"Sec-WebSocket-Version", "13"}},
                                               {}, true);
    std::vector<std::unique_ptr<Connection>> subs;
    std::vector<int> status;
    for (int i = 0; i < 5; ++i) {
        subs.push_back(std::make_unique<Connection>(d.port(), 5s));
        REQUIRE(subs.back()->send(upgrade));
        auto r = subs.back()->read_response();
        status.push_back(r.status);
        if (r.status == 503) CHECK(jstr(r.body, "error.code") == "too_many_subscribers");
    }
    CHECK(status == std::vector<int>{101, 101, 101, 503, 503});
    // A place freed is a place again.
    subs[0].reset();
    CHECK(wait_for([&] {
        Connection c(d.port(), 5s);
        return c.send(upgrade) && c.read_response().status == 101;
    }, 10s));
}

TEST_CASE("exhaustion: a subscriber that never reads is dropped on a quiet night, by its unanswered ping", "[exhaustion]") {
    Daemon d{generated_card(10), {"--feed.heartbeat_ms", "100", "--feed.pong_timeout_ms", "600"}};
    REQUIRE(d.start());
    Connection silent(d.port(), 5s);
    REQUIRE(silent.send(format_request("GET", "/v1/feed?since=0",
                                       {{"Upgrade", "websocket"}, {"Connection", "Upgrade"},
                                        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}, {"Sec-WebSocket-Version", "13"}},
                                       {}, true)));
    REQUIRE(silent.read_response().status == 101);  // and then it reads nothing, ever
    REQUIRE(wait_for([&] { return metric(d, "declared_feed_subscribers") == "1"; }, 5s));
    CHECK(wait_for([&] { return metric(d, "declared_feed_closed_stuck_total") == "1"; }, 10s));
    CHECK(metric(d, "declared_feed_subscribers") == "0");
}
