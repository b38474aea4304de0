// Strangers exhausting the daemon, bounded and on loopback only: readers that
// never read large pages. The daemon must stay responsive, hold no copy of a
// page per reader, and let them go at the write deadline.
#include <fstream>

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
    // A copy each would be over 240 MB; shared bytes cost pointers and socket buffers.
    CHECK(during - before < 80 * 1024);
    // At the write deadline they are closed.
    CHECK(wait_for([&] { return metric(d, "declared_connections") == "1"; }, 15s));
}
