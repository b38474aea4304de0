// Crash safety: kill -9 the daemon and restart it on the same journal.
// Everything acknowledged (HTTP 200) is still there, and the event stream
// anyone saw before the crash is the same, byte for byte, after it.
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kWards = 200;

// ward index -> revision held, from GET /v1/councils/{gen}.
std::map<int, int> held_revisions(const Daemon& d) {
    std::map<int, int> out;
    auto res = d.get(std::string("/v1/councils/") + kGenCouncil);
    REQUIRE(res.status == 200);
    auto v = parse_json(res.body);
    int i = 0;
    for (const auto& w : v.as_object().at("wards").as_array()) {
        const auto& o = w.as_object();
        REQUIRE(std::string(o.at("id").as_string()) == gen_ward(i));
        if (auto* r = o.if_contains("result"); r && r->is_object())
            out[i] = static_cast<int>(r->as_object().at("revision").to_number<std::int64_t>());
        ++i;
    }
    return out;
}

}  // namespace

TEST_CASE("crash: acknowledged declarations and the event stream survive kill -9") {
    Daemon d{generated_card(kWards)};
    REQUIRE(d.start());
    std::map<int, int> acked;
    for (int batch = 0; batch < 10; ++batch) {
        std::string body;
        for (int k = 0; k < 5; ++k) {
            int ward = batch * 5 + k;
            body += gen_declaration(ward, 1) + "\n";
            if (k == 4) body += gen_declaration(ward - 4, 2) + "\n";  // a correction in every batch
        }
        auto res = d.post(body);
        REQUIRE(res.status == 200);
        for (int k = 0; k < 5; ++k) acked[batch * 5 + k] = 1;
        acked[batch * 5] = 2;
    }
    const auto events_before = d.get("/v1/events?since=0&limit=100000");
    REQUIRE(events_before.status == 200);
    const auto board_before = d.scoreboard();
    const auto journal_before = d.journal_size();

    d.process.kill9();
    REQUIRE(d.process.exit_status()->signal == SIGKILL);
    CHECK(d.journal_size() == journal_before);
    REQUIRE(d.start());
    CHECK(d.get("/v1/events?since=0&limit=100000").body == events_before.body);
    CHECK(d.scoreboard() == board_before);
    auto held = held_revisions(d);
    for (auto [ward, rev] : acked) {
        INFO("ward " << ward);
        CHECK(held[ward] == rev);
    }
    CHECK(held.size() == acked.size());
}

TEST_CASE("crash: kill -9 at varied points under concurrent load, 20 rounds") {
    const auto test_start = Clock::now();
    Daemon d{generated_card(kWards)};
    constexpr int kRounds = 20, kClients = 3, kBatch = 5;
    std::map<int, int> acked_ever;    // ward -> highest revision ever acknowledged
    std::vector<std::string> seen;    // every event seen via /v1/events, by seq - 1
    std::map<int, int> next_rev;      // ward -> last revision sent
    std::size_t total_acked = 0, total_unanswered = 0;
    std::vector<std::string> unexpected;  // answers other than 200 (only the kill may stop an answer)

    for (int round = 0; round < kRounds; ++round) {
        INFO("round " << round);
        REQUIRE(d.start());

        // Restart check: the acknowledged are held, the seen events unchanged.
        auto held = held_revisions(d);
        for (auto [ward, rev] : acked_ever) {
            INFO("ward " << ward << " acknowledged at revision " << rev);
            REQUIRE(held[ward] >= rev);
        }
        auto after = d.all_events();
        REQUIRE(after.size() >= seen.size());
        for (std::size_t i = 0; i < seen.size(); ++i) {
            INFO("event seq " << i + 1);
            REQUIRE(after[i] == seen[i]);
        }
        seen = after;  // read from the journal's rebuild: durable
        for (int w = 0; w < kWards; ++w) next_rev[w] = held.count(w) ? held[w] : 0;

        // Load: clients POST batches of corrections, a poller follows the events.
        std::atomic<bool> stop{false};
        std::mutex m;
        std::vector<std::thread> threads;
        const int port = d.port();
        for (int t = 0; t < kClients; ++t) {
            std::map<int, int> revs;
            for (int w = t; w < kWards; w += kClients) revs[w] = next_rev[w];
            threads.emplace_back([&, t, revs]() mutable {
                std::vector<int> mine;
                for (auto& [w, r] : revs) mine.push_back(w);
                std::size_t cursor = static_cast<std::size_t>(round * 7 + t) % mine.size();
                while (!stop) {
                    std::string body;
                    std::vector<std::pair<int, int>> sent;
                    for (int k = 0; k < kBatch; ++k) {
                        int w = mine[cursor++ % mine.size()];
                        int r = ++revs[w];
                        body += gen_declaration(w, r) + "\n";
                        sent.emplace_back(w, r);
                    }
                    auto res = post_declarations(port, body, kToken);
                    std::lock_guard lock(m);
                    if (res.status == 200) {
                        for (auto [w, r] : sent) acked_ever[w] = std::max(acked_ever[w], r);
                        ++total_acked;
                    } else {
                        ++total_unanswered;
                        if (res.status != 0) unexpected.push_back(std::to_string(res.status) + ": " + res.body);
                        return;
                    }
                }
            });
        }
        std::vector<std::string> polled;
        threads.emplace_back([&] {
            std::uint64_t since = seen.size();
            while (!stop) {
                auto res = get(port, fmt::format("/v1/events?since={}&limit=10000", since));
                if (res.status != 200) return;
                auto page = page_events(res.body);
                std::lock_guard lock(m);
                since += page.size();
                for (auto& e : page) polled.push_back(std::move(e));
            }
        });

        // The kill lands at a varied point: early in a batch, mid-load, after many syncs.
        const auto delay = std::chrono::milliseconds(15 + (round * 53) % 260);
        std::this_thread::sleep_for(delay);
        d.process.kill9();
        stop = true;
        for (auto& th : threads) th.join();
        for (auto& e : polled) seen.push_back(std::move(e));
        REQUIRE(unexpected.empty());
    }

    // The last restart check.
    REQUIRE(d.start());
    auto held = held_revisions(d);
    for (auto [ward, rev] : acked_ever) {
        INFO("ward " << ward << " acknowledged at revision " << rev);
        CHECK(held[ward] >= rev);
    }
    auto after = d.all_events();
    REQUIRE(after.size() >= seen.size());
    for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(after[i] == seen[i]);
    CHECK(total_acked > 100);  // the load was real
    const auto took = Clock::now() - test_start;
    std::printf("crash rounds: %zu batches acknowledged, %zu unanswered at the kill, %zu events, %lld ms\n", total_acked,
                total_unanswered, after.size(),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    CHECK(took < 60s);
}
