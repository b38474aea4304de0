// --health.listen: the daemon answers /healthz and /readyz on a second port,
// on a thread of its own, and says where at start-up.
#include <regex>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;

namespace {

int health_port(const Daemon& d) {
    std::smatch m;
    const std::string log = d.process.log();
    static const std::regex line(R"(health on http://127\.0\.0\.1:(\d+) \(/healthz, /readyz\))");
    return std::regex_search(log, m, line) ? std::stoi(m[1]) : 0;
}

}  // namespace

TEST_CASE("health port: /healthz and /readyz on their own port, the main port unchanged", "[health]") {
    Daemon d{std::string(kSmallCard), {"--health.listen", "127.0.0.1:0"}};
    REQUIRE(d.start());
    const int port = health_port(d);
    INFO(d.process.log());
    REQUIRE(port > 0);
    REQUIRE(port != d.port());

    const auto health = get(port, "/healthz");
    CHECK(health.status == 200);
    CHECK(health.body == "{\"status\":\"ok\"}\n");
    // Readiness is the same answer as the main port's.
    const auto ready = get(port, "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body == d.get("/readyz").body);
    CHECK(get(port, "/v1/councils").status == 404);
    CHECK(d.get("/healthz").status == 200);

    // It goes with the daemon: a drained shutdown still exits 0.
    CHECK(d.process.terminate().code == 0);
    CHECK(d.process.log().find("stopped:") != std::string::npos);
}

TEST_CASE("health port: bad options are refused with what and why, before anything starts", "[health]") {
    TempDir dir;
    const std::string card = dir / "card.json";
    write_whole_file(card, std::string(kSmallCard));
    auto refused = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"serve", "--card", card, "--journal", dir / "j", "--listen", "127.0.0.1:18999"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = run_command(kDeclaredBinary, args, dir.path());
        CHECK(r.status.code == 2);
        return r.err;
    };
    CHECK(refused({"--health.listen", "nowhere"}).find("--health.listen: expected ADDR:PORT such as 127.0.0.1:8080") !=
          std::string::npos);
    CHECK(refused({"--health.listen", "127.0.0.1:18999"}).find("--health.listen: expected another port than --listen's") !=
          std::string::npos);
    CHECK(refused({"--health.listen", "127.0.0.1:0", "--health.stall_ms", "50"}).find("--health.stall_ms: expected at least 200") !=
          std::string::npos);
    CHECK(!std::filesystem::exists(dir / "j"));  // nothing was created
}
