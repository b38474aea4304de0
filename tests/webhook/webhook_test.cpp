// Webhooks against the real daemon: a receiver on loopback that fails for a
// while still ends up with every matching event exactly once per successful
// delivery, in seq order, correctly signed; the cursor survives a restart.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/small_card.hpp"
#include "tests/webhook/receiver.hpp"

using namespace declared::testing;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::uint64_t last_seq(int port) {
    auto res = get(port, "/v1/events?since=0&limit=1");
    REQUIRE(res.status == 200);
    return boost::json::parse(res.body).at("last_seq").to_number<std::uint64_t>();
}

// The events after `after` of the given types (none: all), from the daemon's own log.
std::vector<std::pair<std::uint64_t, std::string>> events_of(int port, std::uint64_t after,
                                                             std::initializer_list<std::string_view> types = {}) {
    auto res = get(port, "/v1/events?since=0&limit=10000");
    REQUIRE(res.status == 200);
    std::vector<std::pair<std::uint64_t, std::string>> out;
    const auto page = boost::json::parse(res.body);  // kept alive for the loop
    for (const auto& e : page.at("events").as_array()) {
        std::string type(e.at("type").as_string());
        auto seq = e.at("seq").to_number<std::uint64_t>();
        bool wanted = types.size() == 0;
        for (auto t : types) wanted |= type == t;
        if (wanted && seq > after) out.emplace_back(seq, boost::json::serialize(e));
    }
    return out;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
}

const std::string kBrookLab = std::string(kBrook);
const std::string kAbbeyLab =
    R"({"id": "a", "council": "local.testham.2022-05-05", "ward": "local.testham.abbey.2022-05-05", "revision": 1, "declared_at": "2022-05-06T02:00:00Z", "candidates": [{"name": "A", "party": "LAB", "votes": 900, "elected": true}, {"name": "B", "party": "LAB", "votes": 800, "elected": true}, {"name": "C", "party": "LAB", "votes": 700, "elected": true}, {"name": "D", "party": "CON", "votes": 600, "elected": false}]})";
const std::string kAbbeyCon =  // a recount: CON hold two seats, the LAB call no longer stands
    R"({"id": "a", "council": "local.testham.2022-05-05", "ward": "local.testham.abbey.2022-05-05", "revision": 2, "declared_at": "2022-05-06T03:00:00Z", "candidates": [{"name": "A", "party": "LAB", "votes": 900, "elected": true}, {"name": "B", "party": "CON", "votes": 800, "elected": true}, {"name": "C", "party": "CON", "votes": 700, "elected": true}, {"name": "D", "party": "LAB", "votes": 600, "elected": false}]})";

}  // namespace

TEST_CASE("webhook: failing endpoint still gets every control call, signed, in order, once per success, and the cursor survives restart",
          "[webhook]") {
    TempDir dir;
    write_whole_file(dir / "card.json", std::string(kSmallCard));
    Receiver receiver(3);  // the first three attempts fail
    write_whole_file(dir / "hooks.json", R"([{"name": "alerts", "url": "http://127.0.0.1:)" + std::to_string(receiver.port()) +
                                             R"(/hook", "secret": "s3cret", "types": "control_called,call_retracted"}])");
    const std::vector<std::string> args{"--card", dir / "card.json", "--journal", dir / "journal", "--listen", "127.0.0.1:0",
                                        "--ingest-token", "t", "--webhooks", dir / "hooks.json"};
    DaemonProcess daemon;
    REQUIRE(daemon.start(DECLARED_BINARY, args, dir / "log"));
    const auto start = last_seq(daemon.port());  // a new webhook delivers what comes after it started

    REQUIRE(post_declarations(daemon.port(), kAbbeyLab, "t", "application/json").status == 200);
    REQUIRE(post_declarations(daemon.port(), kAbbeyCon, "t", "application/json").status == 200);
    auto expected = events_of(daemon.port(), start, {"control_called", "call_retracted"});
    REQUIRE(expected.size() >= 2);  // LAB called, then retracted (and maybe a new call)
    REQUIRE(eventually([&] { return receiver.deliveries().size() >= expected.size(); }));
    auto got = receiver.deliveries();
    REQUIRE(got.size() == expected.size());
    CHECK(receiver.attempts() >= static_cast<int>(expected.size()) + 3);
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("delivery " << i);
        CHECK(got[i].seq == expected[i].first);
        CHECK(boost::json::parse(got[i].body) == boost::json::parse(expected[i].second));
        CHECK(got[i].signature == hmac_hex("s3cret", got[i].body));
    }

    // Restart: nothing delivered again; new calls still arrive.
    REQUIRE(daemon.terminate().code == 0);
    REQUIRE(daemon.start(DECLARED_BINARY, args, dir / "log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(receiver.deliveries().size() == expected.size());
    REQUIRE(post_declarations(daemon.port(), kBrookLab, "t", "application/json").status == 200);
    auto after = events_of(daemon.port(), start, {"control_called", "call_retracted"});
    REQUIRE(after.size() > expected.size());
    REQUIRE(eventually([&] { return receiver.deliveries().size() >= after.size(); }));
    got = receiver.deliveries();
    REQUIRE(got.size() == after.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == after[i].first);
}

TEST_CASE("webhook: a dead endpoint blocks neither ingestion nor another webhook", "[webhook]") {
    TempDir dir;
    write_whole_file(dir / "card.json", std::string(kSmallCard));
    Receiver healthy(0);
    // Port 1 on loopback: nothing listens, every attempt fails at once.
    write_whole_file(dir / "hooks.json",
                     R"([{"name": "dead", "url": "http://127.0.0.1:1/hook"},
                         {"name": "live", "url": "http://127.0.0.1:)" + std::to_string(healthy.port()) + R"(/hook"}])");
    DaemonProcess daemon;
    REQUIRE(daemon.start(DECLARED_BINARY, {"--card", dir / "card.json", "--journal", dir / "journal", "--listen",
                                           "127.0.0.1:0", "--ingest-token", "t", "--webhooks", dir / "hooks.json"},
                         dir / "log"));
    const auto start = last_seq(daemon.port());
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(post_declarations(daemon.port(), kAbbeyLab, "t", "application/json").status == 200);
    REQUIRE(post_declarations(daemon.port(), kBrookLab, "t", "application/json").status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    auto all = events_of(daemon.port(), start);
    REQUIRE(all.size() >= 6);
    REQUIRE(eventually([&] { return healthy.deliveries().size() >= all.size(); }));
    auto got = healthy.deliveries();
    REQUIRE(got.size() == all.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == all[i].first);
}

TEST_CASE("webhook: a bad webhooks file refuses to start with the path of the problem", "[webhook]") {
    TempDir dir;
    write_whole_file(dir / "card.json", std::string(kSmallCard));
    const std::pair<std::string, std::string> cases[] = {
        {R"({"name": "x"})", "a JSON array of webhooks"},
        {R"([{"name": "x", "url": "https://example.invalid/"}])", "[0].url: expected an http://host[:port]/path URL"},
        {R"([{"name": "x", "url": "http://127.0.0.1:9/", "types": "nope"}])", "[0].types"},
        {R"([{"name": "x", "url": "http://127.0.0.1:9/", "colour": "red"}])", "[0].colour"},
        {R"([{"name": "x", "url": "http://127.0.0.1:9/"}, {"name": "x", "url": "http://127.0.0.1:9/"}])", "[1].name"},
        {R"([{"name": "x", "url": "http://127.0.0.1:9/", "max_attempts": -1}])", "[0].max_attempts: expected a whole number from 0"},
        {R"([{"name": "x", "url": "http://127.0.0.1:9/", "max_attempts": "3"}])", "[0].max_attempts"},
        {R"([{"name": "x", "url": "http://127.0.0.1:9/", "alert_after_seconds": 0}])", "[0].alert_after_seconds"},
        {R"([{"name": "x", "url": "http://127.0.0.1:9/", "body": "xml"}])", "[0].body"},
    };
    for (const auto& [json, needle] : cases) {
        INFO(json);
        write_whole_file(dir / "hooks.json", json);
        DaemonProcess daemon;
        daemon.spawn(DECLARED_BINARY, {"--card", dir / "card.json", "--journal", dir / "journal", "--listen", "127.0.0.1:0",
                                       "--webhooks", dir / "hooks.json"},
                     dir / "log");
        auto status = daemon.wait(std::chrono::seconds(10));
        REQUIRE(status);
        CHECK(status->code == 1);
        CHECK(daemon.log().find(needle) != std::string::npos);
    }
}

TEST_CASE("webhook: a cursor file that holds no seq stops that webhook with an error, rather than skipping the night, until it is fixed",
          "[webhook]") {
    TempDir dir;
    write_whole_file(dir / "card.json", std::string(kSmallCard));
    Receiver receiver(0);
    write_whole_file(dir / "hooks.json",
                     R"([{"name": "all", "url": "http://127.0.0.1:)" + std::to_string(receiver.port()) + R"(/hook"}])");
    std::filesystem::create_directories(dir / "journal.webhooks");
    write_whole_file(dir / "journal.webhooks/all.cursor", "not a seq\n");
    DaemonProcess daemon;
    REQUIRE(daemon.start(DECLARED_BINARY,
                         {"--card", dir / "card.json", "--journal", dir / "journal", "--listen", "127.0.0.1:0",
                          "--ingest-token", "t", "--webhooks", dir / "hooks.json"},
                         dir / "log"));
    REQUIRE(post_declarations(daemon.port(), kBrookLab, "t", "application/json").status == 200);
    const auto events = events_of(daemon.port(), 0);
    REQUIRE(!events.empty());
    CHECK(eventually([&] { return daemon.log().find("webhook all: has no cursor it can read or keep") != std::string::npos; }));
    CHECK(daemon.log().find("all.cursor: expected the last delivered seq") != std::string::npos);
    CHECK(receiver.deliveries().empty());
    // Fixed by the operator: it resumes from there and delivers the night.
    write_whole_file(dir / "journal.webhooks/all.cursor", "0\n");
    REQUIRE(eventually([&] { return receiver.deliveries().size() >= events.size(); }, std::chrono::seconds(40)));
    CHECK(receiver.deliveries().front().seq == events.front().first);
}
