// A journal write that fails on the night (disk full, a file-size limit): the
// daemon stays up, keeps serving reads of what is durable, answers every
// ingest with 503 and the journal's reason, says so in /readyz, and a restart
// with the disk fixed holds everything that was acknowledged.
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

TEST_CASE("disk fault: a failed journal write refuses ingest with the reason, reads go on, a restart recovers", "[disk]") {
    Daemon d{generated_card(60)};
    REQUIRE(d.start());
    REQUIRE(d.post(gen_declaration(0, 1), "application/json").status == 200);

    // From now on the journal file cannot grow past a few more records.
    struct rlimit lim {};
    lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(d.journal_size() + 1500);
    REQUIRE(::prlimit(d.process.pid(), RLIMIT_FSIZE, &lim, nullptr) == 0);

    int acknowledged = 1;
    HttpResponse refused;
    for (int w = 1; w < 60; ++w) {
        auto r = d.post(gen_declaration(w, 1), "application/json");
        if (r.status == 200) {
            ++acknowledged;
            continue;
        }
        refused = r;
        break;
    }
    INFO("last answer: " << refused.status << " " << refused.body << "\nlog:\n" << d.process.log());
    REQUIRE(refused.status == 503);
    CHECK(jstr(refused.body, "error.code") == "journal_failed");
    CHECK(jstr(refused.body, "error.message").find("File too large") != std::string::npos);

    // Up, serving what is durable, and saying why it refuses.
    CHECK(d.get("/healthz").status == 200);
    auto ready = d.get("/readyz");
    CHECK(ready.status == 503);
    CHECK(jstr(ready.body, "reason") == "journal_failed");
    CHECK(jstr(d.scoreboard(), "wards_declared") == std::to_string(acknowledged));
    const auto events = d.all_events();
    auto again = d.post(gen_declaration(59, 1), "application/json");
    CHECK(again.status == 503);
    CHECK(jstr(again.body, "error.code") == "journal_failed");
    CHECK(d.all_events() == events);

    auto st = d.process.terminate(15s);
    CHECK(st.code == 0);
    // The disk is fixed (the limit went with the process): everything acknowledged is there.
    REQUIRE(d.start());
    CHECK(d.all_events() == events);
    CHECK(jstr(d.scoreboard(), "wards_declared") == std::to_string(acknowledged));
    CHECK(d.post(gen_declaration(59, 1), "application/json").status == 200);
}
