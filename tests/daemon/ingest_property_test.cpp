// Property: whatever any ingest path accepts, a restart loads, and the events
// come back byte for byte. Seeded random declarations, some valid and some
// broken in the ways real input breaks (odd bytes in names, overlong text,
// repeated keys, truncation, strange file names), go in over HTTP, through the
// drop directory and from an upstream poll; then the daemon is stopped with
// SIGTERM and with kill -9, and each restart must load the journal and serve
// the same events.
#include <filesystem>
#include <random>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"
#include "tests/support/upstream_server.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int kWards = 30;

// JSON string content for arbitrary bytes: quotes, backslashes and control
// characters escaped, every other byte as is (valid UTF-8 or not).
std::string json_text(const std::string& bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
        else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
    return out;
}

struct Gen {
    std::mt19937 rng;
    explicit Gen(unsigned seed) : rng(seed) {}
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
    bool chance(int percent) { return pick(100) < percent; }

    std::string odd_text(std::size_t max_len) {
        static const std::vector<std::string> pieces{"a", "Z", " ", "é", "ß", "Ł", "中", "🗳", "\"", "\\", "\t",
                                                     "\xFF", "\xC3\x28", "\xE2\x82", "\xF0\x9F", "\x7F", "-", "."};
        std::string s;
        const std::size_t len = 1 + static_cast<std::size_t>(pick(static_cast<int>(max_len)));
        while (s.size() < len) s += pieces[static_cast<std::size_t>(pick(static_cast<int>(pieces.size())))];
        return s;
    }
    std::string declaration() {
        const int ward = pick(kWards);
        const int revision = 1 + pick(3);
        const bool a_wins = chance(50);
        const std::string name = chance(30) ? odd_text(chance(10) ? 300 : 24) : "Red R.";
        std::string d = fmt::format(
            R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"declared_at":"2022-05-06T02:00:00Z","candidates":[)"
            R"({{"name":"{3}","party":"LAB","votes":{4},"elected":{5}}},{{"name":"Blue B.","party":"CON","votes":{6},"elected":{7}}}]}})",
            gen_ward(ward), kGenCouncil, revision, json_text(name), 500 + revision, a_wins, 400 + ward, !a_wins);
        if (chance(5)) d.replace(d.find("\"revision\""), 10, "\"revision\":9,\"revision\"");
        if (chance(5)) d.resize(static_cast<std::size_t>(pick(static_cast<int>(d.size()))));
        return d;
    }
    std::string batch() {
        std::string b;
        for (int n = 1 + pick(4); n > 0; --n) b += declaration() + "\n";
        return b;
    }
    std::string file_name() {
        std::string n = chance(50) ? odd_text(chance(20) ? 250 : 16) : "f" + std::to_string(pick(100000));
        for (auto& c : n)
            if (c == '/' || c == '\0') c = '_';
        if (n.front() == '.') n.front() = '_';
        if (n.size() > 240) n.resize(240);
        return n + ".jsonl";
    }
};

}  // namespace

TEST_CASE("property: what any ingest path accepts, a restart loads, with the same events", "[property]") {
    const unsigned seed = GENERATE(1u, 2u, 3u);
    INFO("seed " << seed);
    Gen gen(seed);
    TempDir drop;
    FeedServer upstream(0);
    Daemon d{generated_card(kWards), {"--drop.dir", drop.path(), "--drop.rescan_ms", "100", "--upstream.url",
                                      fmt::format("http://127.0.0.1:{}/feed", upstream.port()), "--upstream.interval_ms",
                                      "100"}};
    REQUIRE(d.start());
    for (int round = 0; round < 12; ++round) {
        for (int i = 0; i < 4; ++i) {
            const std::string body = gen.batch();
            auto r = d.post(body);
            INFO(r.body.substr(0, 300));
            CHECK((r.status == 200 || r.status == 400 || r.status == 409));
        }
        for (int i = 0; i < 2; ++i) {
            const std::string name = gen.file_name();
            write_whole_file(drop / ".incoming.tmp", gen.batch());
            std::error_code ec;
            fs::rename(drop / ".incoming.tmp", drop / name, ec);
            REQUIRE(!ec);
        }
        const std::string etag = fmt::format("\"{}-{}\"", seed, round);
        upstream.serve(gen.batch(), etag);
        // Each round settles: the drop files handled, and the upstream body
        // applied (the poll after it asks with its ETag only once it is).
        REQUIRE(wait_for([&] {
            for (const auto& e : fs::directory_iterator(drop.path()))
                if (e.is_regular_file() && e.path().extension() == ".jsonl") return false;
            auto c = upstream.counts();
            return c.not_modified_by_etag.count(etag) > 0;
        }, 20s));
    }
    CHECK(d.get("/healthz").status == 200);
    const auto events = d.all_events();
    REQUIRE(events.size() > 10);

    REQUIRE(d.process.terminate(15s).code == 0);
    REQUIRE(d.start());
    CHECK(d.all_events() == events);
    d.process.kill9();
    REQUIRE(d.start());
    CHECK(d.all_events() == events);
}
