// The drop directory against a careless operator and awkward files: a broken
// processed/ does not stop the source or apply a file twice, a file whose
// journal entries are over one append is refused whole while the daemon stays
// up, and a file name the journal could not hold is refused, so the journal
// always loads what the daemon wrote.
#include <filesystem>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct DropDaemon {
    TempDir drop;
    Daemon d;
    explicit DropDaemon(std::string card = generated_card(40))
        : d(std::move(card), {"--drop.dir", drop.path(), "--drop.rescan_ms", "100"}) {}
    // Writes a file the way a careful producer does: a dot-name, then a rename.
    void put(const std::string& name, const std::string& content) const {
        const std::string temp = drop / ("." + std::to_string(std::hash<std::string>{}(name)) + ".tmp");
        write_whole_file(temp, content);
        fs::rename(temp, drop / name);
    }
    bool gone(const std::string& name) const { return !fs::exists(drop / name); }
    std::string metric(const std::string& line_start) const {
        for (const auto& line : split(d.get("/metrics").body))
            if (line.starts_with(line_start)) return line.substr(line_start.size() + 1);
        return "";
    }
    static std::vector<std::string> split(const std::string& text) {
        std::vector<std::string> out;
        std::size_t pos = 0;
        while (pos < text.size()) {
            auto end = text.find('\n', pos);
            if (end == std::string::npos) end = text.size();
            out.push_back(text.substr(pos, end - pos));
            pos = end + 1;
        }
        return out;
    }
};

}  // namespace

TEST_CASE("drop: a processed/ that cannot be used is reported, retried, and no file is applied twice", "[drop]") {
    DropDaemon dd;
    REQUIRE(dd.d.start());
    // Removed: it is made again, and the file moves.
    fs::remove_all(dd.drop / "processed");
    dd.put("a.jsonl", gen_declaration(0, 1) + "\n");
    REQUIRE(wait_for([&] { return fs::exists(dd.drop / "processed/a.jsonl"); }, 10s));

    // Replaced by a plain file: moves fail. Each file is applied once, stays,
    // the source keeps watching, and /readyz and /metrics say it is broken.
    fs::remove_all(dd.drop / "processed");
    write_whole_file(dd.drop / "processed", "not a directory");
    dd.put("b.jsonl", gen_declaration(1, 1) + "\n");
    REQUIRE(wait_for([&] { return dd.d.get("/readyz").status == 503; }, 10s));
    dd.put("c.jsonl", gen_declaration(2, 1) + "\n" + gen_declaration(3, 1) + "\n");
    REQUIRE(wait_for([&] { return dd.metric("declared_declarations_accepted_total") == "4"; }, 10s));
    auto ready = dd.d.get("/readyz");
    CHECK(ready.status == 503);
    CHECK(jstr(ready.body, "reason") == "source_broken");
    INFO(ready.body);
    CHECK(jstr(ready.body, "sources.drop").find("cannot move") != std::string::npos);
    CHECK(dd.metric("declared_source_up{source=\"drop\"}") == "0");
    CHECK(fs::exists(dd.drop / "b.jsonl"));
    CHECK(fs::exists(dd.drop / "c.jsonl"));
    CHECK(dd.d.process.log().find("cannot move b.jsonl") != std::string::npos);
    const auto seq = dd.d.last_seq();

    // Fixed: the next scans move both; nothing was applied again.
    fs::remove(dd.drop / "processed");
    REQUIRE(wait_for([&] { return dd.gone("b.jsonl") && dd.gone("c.jsonl"); }, 10s));
    CHECK(fs::exists(dd.drop / "processed/b.jsonl"));
    CHECK(fs::exists(dd.drop / "processed/c.jsonl"));
    REQUIRE(wait_for([&] { return dd.d.get("/readyz").status == 200; }, 10s));
    CHECK(dd.metric("declared_source_up{source=\"drop\"}") == "1");
    CHECK(dd.metric("declared_declarations_accepted_total") == "4");
    CHECK(dd.metric("declared_declarations_duplicate_total") == "0");
    CHECK(dd.d.last_seq() == seq);
}

TEST_CASE("drop: a file under the size limit whose journal entries exceed one append is refused whole, and the daemon stays up", "[drop]") {
    DropDaemon dd;
    REQUIRE(dd.d.start());
    // Corrections of one ward with 100 long-named candidates each: about
    // 31 KB a line, 63.9 MiB in all, just under the drop directory's limit.
    auto big_declaration = [](int revision) {
        std::string cands;
        for (int c = 0; c < 100; ++c) {
            if (c) cands += ",";
            cands += fmt::format(R"({{"name":"{}{:03d}","party":"{}","votes":{},"elected":{}}})", std::string(250, 'N'), c,
                                 c % 2 ? "CON" : "LAB", 1000 - c - (c == 0 ? 0 : revision % 2), c == 0 ? "true" : "false");
        }
        return fmt::format(R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"declared_at":"2022-05-06T02:00:00Z","candidates":[{3}]}})",
                           gen_ward(5), kGenCouncil, revision, cands);
    };
    std::string body;
    for (int r = 1; body.size() + 40000 < (64u << 20); ++r) body += big_declaration(r) + "\n";
    REQUIRE(body.size() < (64u << 20));
    REQUIRE(body.size() > (63u << 20));
    const auto seq = dd.d.last_seq();
    dd.put("big.jsonl", body);
    const std::string report = dd.drop / "rejected/big.jsonl.error.json";
    REQUIRE(wait_for([&] { return fs::exists(report); }, 60s));
    CHECK(jstr(read_whole_file(report), "error.code") == "batch_too_large");
    CHECK(dd.gone("big.jsonl"));
    CHECK(dd.d.get("/healthz").status == 200);
    CHECK(dd.d.get("/readyz").status == 200);
    CHECK(dd.d.last_seq() == seq);
    // Still ingesting, and a restart loads the journal.
    dd.put("small.jsonl", gen_declaration(6, 1) + "\n");
    REQUIRE(wait_for([&] { return fs::exists(dd.drop / "processed/small.jsonl"); }, 10s));
    const auto events = dd.d.all_events();
    REQUIRE(dd.d.process.terminate().code == 0);
    REQUIRE(dd.d.start());
    CHECK(dd.d.all_events() == events);
}

TEST_CASE("drop: a file name the journal could not hold as its source is refused, and the journal still loads", "[drop]") {
    DropDaemon dd;
    REQUIRE(dd.d.start());
    const std::string long_name = std::string(249, 'x') + ".json";   // "drop:" + 254 bytes: over 256
    const std::string fits = std::string(240, 'y') + ".json";        // "drop:" + 245 bytes: fine
    const std::string not_utf8 = "caf\xC3\x28-\xFF.json";
    dd.put(long_name, gen_declaration(0, 1));
    dd.put(not_utf8, gen_declaration(1, 1));
    dd.put(fits, gen_declaration(2, 1));
    REQUIRE(wait_for([&] { return dd.gone(long_name) && dd.gone(not_utf8) && dd.gone(fits); }, 10s));
    CHECK(fs::exists(dd.drop / ("processed/" + fits)));
    CHECK(fs::exists(dd.drop / ("rejected/" + long_name)));
    CHECK(fs::exists(dd.drop / ("rejected/" + not_utf8)));
    CHECK(jstr(read_whole_file(dd.drop / ("rejected/" + not_utf8 + ".error.json")), "error.code") == "invalid_utf8");
    // The long name's report is cut to fit the file system's name limit.
    bool found = false;
    for (const auto& e : fs::directory_iterator(dd.drop / "rejected")) {
        const auto n = e.path().filename().string();
        if (n.starts_with("xxxx") && n.ends_with(".error.json")) {
            found = true;
            CHECK(jstr(read_whole_file(e.path()), "error.code") == "too_long");
            CHECK(jstr(read_whole_file(e.path()), "error.path") == "source");
        }
    }
    CHECK(found);
    const auto events = dd.d.all_events();
    REQUIRE(dd.d.process.terminate().code == 0);
    REQUIRE(dd.d.start());
    CHECK(dd.d.all_events() == events);
}

TEST_CASE("ingest: a JSON object with a repeated key is refused, not resolved", "[drop]") {
    Daemon d{std::string(kSmallCard)};
    REQUIRE(d.start());
    std::string twice = brook(1, 700, 650);
    twice.replace(twice.find("\"revision\":1"), 12, "\"revision\":1,\"revision\":7");
    auto r = d.post(twice, "application/json");
    CHECK(r.status == 400);
    CHECK(jstr(r.body, "error.code") == "duplicate_field");
    CHECK(jstr(r.body, "error.path") == "revision");
    std::string in_candidate = brook(1, 700, 650);
    in_candidate.replace(in_candidate.find("\"votes\":700"), 11, "\"votes\":700,\"votes\":1");
    r = d.post(in_candidate, "application/json");
    CHECK(r.status == 400);
    CHECK(jstr(r.body, "error.code") == "duplicate_field");
    CHECK(jstr(r.body, "error.path") == "candidates[0].votes");
    CHECK(jstr(d.scoreboard(), "wards_declared") == "0");
}
