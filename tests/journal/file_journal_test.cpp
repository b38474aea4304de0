#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "journal/file_journal.hpp"
#include "journal/journal_format.hpp"
#include "tests/journal/temp_dir.hpp"

using declared::FileJournal;
using declared::FileJournalOptions;
using declared::LoadReport;
using declared::Result;
using declared::testing::read_file;
using declared::testing::TempDir;
using declared::testing::write_file;
namespace fmt = declared::journal_format;

namespace {

struct Loaded {
    Result<LoadReport> result;
    std::vector<std::string> records;
};

Loaded load(FileJournal& journal) {
    Loaded out{Result<LoadReport>::of_error({}), {}};
    out.result = journal.load([&](std::string_view r) { out.records.emplace_back(r); });
    return out;
}

Loaded load_path(const std::string& path, FileJournalOptions options = {}) {
    FileJournal journal(path, options);
    return load(journal);
}

// Appends and syncs records to a loaded journal, checking each step.
void append(FileJournal& journal, const std::vector<std::string>& records) {
    auto appended = journal.append(records);
    REQUIRE(appended.ok());
    REQUIRE(journal.sync().ok());
}

// What the daemon will store: one small JSON object per declaration.
std::vector<std::string> declarations(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(R"({"line":{"ward":"local.reading.abbey.2022-05-05","revision":)" + std::to_string(i) +
                      R"(},"received_at":"2022-05-06T02:1)" + std::to_string(i % 10) + R"(:00Z"})");
    return out;
}

std::uint64_t file_size(const std::string& path) { return std::filesystem::file_size(path); }

// Byte offsets where each record starts, plus the end of the last one.
std::vector<std::uint64_t> record_offsets(const std::vector<std::string>& records) {
    std::vector<std::uint64_t> out{fmt::kHeaderSize};
    for (const auto& r : records) out.push_back(out.back() + fmt::kRecordHeaderSize + r.size());
    return out;
}

}  // namespace

TEST_CASE("a new journal gets a header and loads empty", "[journal][file]") {
    TempDir dir;
    const auto path = dir.file("journal");
    auto loaded = load_path(path);
    REQUIRE(loaded.result.ok());
    CHECK(loaded.result.value->records == 0);
    CHECK(loaded.result.value->warnings.empty());
    CHECK(read_file(path) == fmt::header());

    SECTION("and an empty existing file is treated the same") {
        write_file(path, "");
        auto again = load_path(path);
        REQUIRE(again.result.ok());
        CHECK(again.result.value->warnings.empty());
        CHECK(read_file(path) == fmt::header());
    }
}

TEST_CASE("records round-trip through the file", "[journal][file]") {
    TempDir dir;
    const auto path = dir.file("journal");
    std::vector<std::string> records = declarations(5);
    records.push_back(std::string("binary\0\xff\x00 bytes", 16));
    {
        FileJournal journal(path);
        REQUIRE(load(journal).result.ok());
        auto first = journal.append(std::vector<std::string>(records.begin(), records.begin() + 2));
        REQUIRE(first.ok());
        CHECK(*first.value == 0);
        auto second = journal.append(std::vector<std::string>(records.begin() + 2, records.end()));
        REQUIRE(second.ok());
        CHECK(*second.value == 2);
        auto synced = journal.sync();
        REQUIRE(synced.ok());
        CHECK(*synced.value == records.size());
    }
    FileJournal journal(path);
    auto loaded = load(journal);
    REQUIRE(loaded.result.ok());
    CHECK(loaded.result.value->records == records.size());
    CHECK(loaded.result.value->warnings.empty());
    CHECK(loaded.records == records);

    // Positions continue after a restart.
    auto more = journal.append(std::vector<std::string>{"after restart"});
    REQUIRE(more.ok());
    CHECK(*more.value == records.size());
}

TEST_CASE("a journal truncated at every byte offset still loads", "[journal][file][torn]") {
    TempDir dir;
    const auto full_path = dir.file("full");
    const auto records = declarations(3);
    {
        FileJournal journal(full_path);
        REQUIRE(load(journal).result.ok());
        append(journal, records);
    }
    const std::string image = read_file(full_path);
    const auto offsets = record_offsets(records);
    REQUIRE(image.size() == offsets.back());

    const auto path = dir.file("cut");
    for (std::uint64_t cut = 0; cut <= image.size(); ++cut) {
        CAPTURE(cut);
        write_file(path, image.substr(0, cut));

        // The records wholly before the cut survive; the torn one goes.
        std::size_t complete = 0;
        while (complete < records.size() && offsets[complete + 1] <= cut) ++complete;
        const std::uint64_t good_end = offsets[complete];
        // A cut inside the header leaves a torn header, rewritten on load.
        const bool torn = cut > good_end || (cut > 0 && cut < fmt::kHeaderSize);

        {
            FileJournal journal(path);
            auto loaded = load(journal);
            REQUIRE(loaded.result.ok());
            CHECK(loaded.records == std::vector<std::string>(records.begin(), records.begin() + complete));
            CHECK(file_size(path) == good_end);
            if (torn) {
                REQUIRE(loaded.result.value->warnings.size() == 1);
                const auto& warning = loaded.result.value->warnings[0];
                CHECK(warning.code == (cut < fmt::kHeaderSize ? "journal_torn_header" : "journal_torn_tail"));
                CHECK(warning.path == path + ":" + std::to_string(cut < fmt::kHeaderSize ? 0 : good_end));
            } else {
                CHECK(loaded.result.value->warnings.empty());
            }

            // Appending after the truncation works and reloads.
            append(journal, {"appended after the cut"});
        }
        auto reloaded = load_path(path);
        REQUIRE(reloaded.result.ok());
        CHECK(reloaded.result.value->warnings.empty());
        REQUIRE(reloaded.records.size() == complete + 1);
        CHECK(reloaded.records.back() == "appended after the cut");
    }
}

TEST_CASE("a zero-filled tail (preallocated blocks after a crash) is truncated", "[journal][file][torn]") {
    TempDir dir;
    const auto path = dir.file("journal");
    const auto records = declarations(2);
    {
        FileJournal journal(path);
        REQUIRE(load(journal).result.ok());
        append(journal, records);
    }
    const auto good = read_file(path);
    write_file(path, good + std::string(4096, '\0'));
    auto loaded = load_path(path);
    REQUIRE(loaded.result.ok());
    CHECK(loaded.records == records);
    REQUIRE(loaded.result.value->warnings.size() == 1);
    CHECK(loaded.result.value->warnings[0].code == "journal_torn_tail");
    CHECK(read_file(path) == good);
}

TEST_CASE("damage before the last record refuses to load, with the offset", "[journal][file][corrupt]") {
    TempDir dir;
    const auto clean_path = dir.file("clean");
    const auto records = declarations(3);
    {
        FileJournal journal(clean_path);
        REQUIRE(load(journal).result.ok());
        append(journal, records);
    }
    const std::string image = read_file(clean_path);
    const auto offsets = record_offsets(records);
    const std::uint64_t middle = offsets[1];
    const auto path = dir.file("journal");

    // Every byte of the middle record: its length, its CRC, its payload.
    for (std::uint64_t at = offsets[1]; at < offsets[2]; ++at) {
        CAPTURE(at);
        std::string damaged = image;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
        write_file(path, damaged);

        auto loaded = load_path(path);
        REQUIRE_FALSE(loaded.result.ok());
        CHECK(loaded.records.empty());
        CHECK(loaded.result.error.code == "journal_corrupt");
        CHECK(loaded.result.error.path == path + ":" + std::to_string(middle));
        CHECK_THAT(loaded.result.error.message(), Catch::Contains("--repair-journal"));
        CHECK(read_file(path) == damaged);  // refusing changes nothing
    }

    SECTION("repair mode keeps the valid prefix") {
        std::string damaged = image;
        damaged[middle + fmt::kRecordHeaderSize + 10] ^= 0x01;
        write_file(path, damaged);

        {
            FileJournal journal(path, FileJournalOptions{.repair = true});
            auto loaded = load(journal);
            REQUIRE(loaded.result.ok());
            CHECK(loaded.records == std::vector<std::string>{records[0]});
            REQUIRE(loaded.result.value->warnings.size() == 1);
            CHECK(loaded.result.value->warnings[0].code == "journal_repaired");
            CHECK(loaded.result.value->warnings[0].path == path + ":" + std::to_string(middle));
            CHECK(file_size(path) == middle);

            auto appended = journal.append(std::vector<std::string>{"after repair"});
            REQUIRE(appended.ok());
            CHECK(*appended.value == 1);
            REQUIRE(journal.sync().ok());
        }

        auto reloaded = load_path(path);  // strict again
        REQUIRE(reloaded.result.ok());
        CHECK(reloaded.records == std::vector<std::string>{records[0], "after repair"});
    }
}

TEST_CASE("a file that is not a journal of this version is refused", "[journal][file]") {
    TempDir dir;
    const auto path = dir.file("journal");

    SECTION("wrong magic") {
        write_file(path, "{\"ward\":\"abbey\"}\n{\"ward\":\"battle\"}\n");
        auto loaded = load_path(path);
        REQUIRE_FALSE(loaded.result.ok());
        CHECK(loaded.result.error.code == "journal_bad_magic");
        CHECK(loaded.result.error.path == path + ":0");
        CHECK_THAT(loaded.result.error.got, Catch::StartsWith("\"{\\x22ward\\x22:\""));
        CHECK(read_file(path) == "{\"ward\":\"abbey\"}\n{\"ward\":\"battle\"}\n");
    }
    SECTION("a short file that is not a header prefix") {
        write_file(path, "XY");
        auto loaded = load_path(path);
        REQUIRE_FALSE(loaded.result.ok());
        CHECK(loaded.result.error.code == "journal_bad_magic");
        CHECK(read_file(path) == "XY");
    }
    SECTION("wrong version") {
        std::string header = fmt::header();
        header[8] = 7;
        write_file(path, header);
        auto loaded = load_path(path);
        REQUIRE_FALSE(loaded.result.ok());
        CHECK(loaded.result.error.code == "journal_bad_version");
        CHECK(loaded.result.error.message() == path + ":8: expected journal format version 1, got version 7 "
                                                      "(written by a different release of declared)");
    }
    SECTION("repair mode does not touch a foreign file") {
        write_file(path, "not a journal at all");
        auto loaded = load_path(path, FileJournalOptions{.repair = true});
        REQUIRE_FALSE(loaded.result.ok());
        CHECK(loaded.result.error.code == "journal_bad_magic");
        CHECK(read_file(path) == "not a journal at all");
    }
}

TEST_CASE("misuse and I/O problems are errors, not crashes", "[journal][file]") {
    TempDir dir;
    const auto path = dir.file("journal");

    SECTION("append before load") {
        FileJournal journal(path);
        auto appended = journal.append(std::vector<std::string>{"x"});
        REQUIRE_FALSE(appended.ok());
        CHECK(appended.error.code == "journal_not_loaded");
    }
    SECTION("an empty record") {
        FileJournal journal(path);
        REQUIRE(load(journal).result.ok());
        auto appended = journal.append(std::vector<std::string>{"ok", ""});
        REQUIRE_FALSE(appended.ok());
        CHECK(appended.error.code == "journal_record_size");
        CHECK(read_file(path) == fmt::header());  // nothing written
    }
    SECTION("a second process (or open) on the same file") {
        FileJournal first(path);
        REQUIRE(load(first).result.ok());
        auto second = load_path(path);
        REQUIRE_FALSE(second.result.ok());
        CHECK(second.result.error.code == "journal_locked");
    }
    SECTION("a directory that does not exist") {
        auto loaded = load_path(dir.file("missing/journal"));
        REQUIRE_FALSE(loaded.result.ok());
        CHECK(loaded.result.error.code == "journal_io");
        CHECK_THAT(loaded.result.error.message(), Catch::Contains("No such file"));
    }
    SECTION("load twice") {
        FileJournal journal(path);
        REQUIRE(load(journal).result.ok());
        auto again = load(journal);
        REQUIRE_FALSE(again.result.ok());
        CHECK(again.result.error.code == "journal_already_loaded");
    }
}
