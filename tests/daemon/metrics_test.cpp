// /metrics is valid Prometheus text, as Prometheus's own checker reads it,
// after a night has exercised every family: ingest, rejections, the journal,
// the drop directory, connections and subscribers.
#include <filesystem>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

TEST_CASE("metrics: promtool check metrics passes on a busy daemon's /metrics", "[metrics]") {
    const char* promtool = "/usr/bin/promtool";
    if (!std::filesystem::exists(promtool)) {
        std::printf("SKIPPED: %s is absent (Debian's prometheus package; scripts/setup.sh installs it)\n", promtool);
        return;
    }
    TempDir drop;
    Daemon d{generated_card(20), {"--drop.dir", drop.path(), "--drop.rescan_ms", "100"}};
    REQUIRE(d.start());
    REQUIRE(d.post(gen_declaration(0, 1), "application/json").status == 200);
    REQUIRE(d.post("{not json", "application/json").status == 400);
    write_whole_file(drop / "a.jsonl", gen_declaration(1, 1) + "\n");
    REQUIRE(wait_for([&] { return std::filesystem::exists(drop / "processed/a.jsonl"); }, 10s));
    const auto metrics = d.get("/metrics");
    REQUIRE(metrics.status == 200);
    CHECK(metrics.body.find("declared_declarations_rejected_total{reason=\"invalid_json\"} 1") != std::string::npos);
    CHECK(metrics.body.find("declared_source_up{source=\"drop\"} 1") != std::string::npos);
    write_whole_file(d.dir / "metrics.txt", metrics.body);
    auto r = run_command("/bin/sh", {"-c", std::string(promtool) + " check metrics < '" + (d.dir / "metrics.txt") + "'"},
                         d.dir.path());
    INFO("promtool: " << r.out << r.err);
    CHECK(r.status.code == 0);
}
