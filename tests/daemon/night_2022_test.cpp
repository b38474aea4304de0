// The real 2022 night (imported from ../shared/data) ingested by the running
// daemon through the drop directory and through the upstream poll reaches
// the same /v1/scoreboard, byte for byte, as `declared replay --summary`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"
#include "tests/support/upstream_server.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

struct Night {
    TempDir dir;
    std::string card = dir / "card.json";
    std::string declarations = dir / "declarations.jsonl";
    std::vector<std::string> lines;

    Night() {
        const std::string data = DECLARED_SHARED_DATA;
        auto r = run_command(kDeclaredBinary,
                             {"import", "leh", "--candidates", data + "/leh-2022/candidates.csv", "--councils",
                              data + "/cbp9545-2022/councils-england.csv", "--baseline",
                              data + "/leap-2018/leap-2018-05-03.csv", "--roster",
                              data + "/opencouncildata/councillors-2021.csv", "--postponed",
                              "Kingston upon Thames:New Malden Village", "--postponed", "Redbridge:Mayfield", "--out",
                              dir.path()},
                             dir.path());
        INFO(r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0));
        REQUIRE(r.status.code == 0);
        std::string all = read_whole_file(declarations);
        for (std::size_t pos = 0; pos < all.size();) {
            auto end = all.find('\n', pos);
            if (end == std::string::npos) end = all.size();
            if (end > pos) lines.push_back(all.substr(pos, end - pos));
            pos = end + 1;
        }
        REQUIRE(lines.size() > 2000);
    }
    // `declared replay --summary` of the first n declarations.
    std::string reference(std::size_t n) const {
        std::string file = dir / fmt::format("first-{}.jsonl", n);
        std::string text;
        for (std::size_t i = 0; i < n; ++i) text += lines[i] + "\n";
        write_whole_file(file, text);
        auto r = run_command(kDeclaredBinary, {"replay", "--card", card, "--declarations", file, "--summary"}, dir.path());
        REQUIRE(r.status.code == 0);
        REQUIRE(r.out.size() > 100);
        return r.out;
    }
    std::string body(std::size_t n) const {
        std::string text;
        for (std::size_t i = 0; i < n; ++i) text += lines[i] + "\n";
        return text;
    }
};

// Polls until the daemon's scoreboard reaches want's last_seq (or times out); returns it.
std::string wait_for_scoreboard(const Daemon& d, const std::string& want, std::chrono::seconds timeout) {
    const std::string want_seq = jstr(want, "last_seq");
    const auto deadline = Clock::now() + timeout;
    std::string board;
    while (Clock::now() < deadline) {
        board = d.get("/v1/scoreboard").body;
        if (jstr(board, "last_seq") == want_seq) break;
        std::this_thread::sleep_for(50ms);
    }
    // Events are published after the journal sync: let the tally's last apply settle.
    std::this_thread::sleep_for(100ms);
    return d.get("/v1/scoreboard").body;
}

}  // namespace

TEST_CASE("2022 night through the drop directory: the same scoreboard as replay --summary") {
    if (!have_shared_data()) return;
    Night night;
    const std::string reference = night.reference(night.lines.size());
    TempDir drop;
    Daemon d{read_whole_file(night.card), {"--drop.dir", drop.path(), "--drop.rescan_ms", "200"}};
    REQUIRE(d.start());

    // Six files, each written under a dot-name and renamed into place.
    constexpr std::size_t kFiles = 6;
    const std::size_t per = (night.lines.size() + kFiles - 1) / kFiles;
    for (std::size_t f = 0; f < kFiles; ++f) {
        std::string text;
        for (std::size_t i = f * per; i < std::min(night.lines.size(), (f + 1) * per); ++i) text += night.lines[i] + "\n";
        const std::string name = fmt::format("night-{:02}.jsonl", f);
        write_whole_file(drop / ("." + name), text);
        std::filesystem::rename(drop / ("." + name), drop / name);
    }
    const std::string board = wait_for_scoreboard(d, reference, 60s);
    CHECK(board == reference);
    for (std::size_t f = 0; f < kFiles; ++f) {
        const std::string name = fmt::format("night-{:02}.jsonl", f);
        CHECK(file_size_or_minus1(drop / ("processed/" + name)) > 0);
        CHECK(file_size_or_minus1(drop / name) == -1);
    }
    CHECK(std::filesystem::is_empty(drop / "rejected"));

    // A file dropped again is all duplicates: processed, nothing journalled.
    const long long journal = d.journal_size();
    const std::uint64_t seq = d.last_seq();
    write_whole_file(drop / ".again.jsonl", night.body(100));
    std::filesystem::rename(drop / ".again.jsonl", drop / "again.jsonl");
    const auto deadline = Clock::now() + 10s;
    while (file_size_or_minus1(drop / "processed/again.jsonl") < 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    CHECK(file_size_or_minus1(drop / "processed/again.jsonl") > 0);
    CHECK(d.journal_size() == journal);
    CHECK(d.last_seq() == seq);

    // A restart ingests no file twice and rebuilds the same scoreboard.
    CHECK(d.process.terminate().code == 0);
    REQUIRE(d.start());
    std::this_thread::sleep_for(500ms);  // more than a rescan
    CHECK(d.scoreboard() == reference);
    CHECK(d.journal_size() == journal);
}

TEST_CASE("2022 night through the upstream poll (ETag, 304, injected 500s): the same scoreboard as replay") {
    if (!have_shared_data()) return;
    Night night;
    const std::size_t half = night.lines.size() / 2;
    const std::string reference_half = night.reference(half);
    const std::string reference = night.reference(night.lines.size());

    FeedServer feed(3);
    feed.serve(night.body(half), "\"v1\"");
    Daemon d{read_whole_file(night.card),
             {"--upstream.url", fmt::format("http://127.0.0.1:{}/feed", feed.port()), "--upstream.interval_ms", "200"}};
    REQUIRE(d.start());

    // Three 500s (backed off), then the first half; then 304s for "v1".
    auto deadline = Clock::now() + 30s;
    while (feed.counts().not_modified_by_etag["\"v1\""] < 1 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
    REQUIRE(feed.counts().not_modified_by_etag["\"v1\""] >= 1);
    CHECK(feed.counts().failed == 3);
    CHECK(feed.counts().full == 1);
    CHECK(feed.counts().last_target == "GET /feed HTTP/1.1");
    CHECK(wait_for_scoreboard(d, reference_half, 10s) == reference_half);
    // The broken upstream was logged once, not once per attempt (rate-limited).
    const std::string log = d.process.log();
    std::size_t logged = 0;
    for (auto at = log.find("failures so far"); at != std::string::npos; at = log.find("failures so far", at + 1)) ++logged;
    CHECK(logged >= 1);
    CHECK(log.find("500") != std::string::npos);
    CHECK(logged <= 1);

    // The feed grows: the whole night under a new ETag.
    feed.serve(night.body(night.lines.size()), "\"v2\"");
    deadline = Clock::now() + 30s;
    while (feed.counts().not_modified_by_etag["\"v2\""] < 1 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
    REQUIRE(feed.counts().not_modified_by_etag["\"v2\""] >= 1);
    CHECK(feed.counts().full == 2);
    CHECK(feed.counts().last_if_none_match == "\"v2\"");
    CHECK(wait_for_scoreboard(d, reference, 10s) == reference);
    CHECK(d.process.terminate().code == 0);
}
