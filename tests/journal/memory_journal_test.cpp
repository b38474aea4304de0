#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "journal/memory_journal.hpp"

using declared::Error;
using declared::MemoryJournal;

TEST_CASE("memory journal keeps records and loses unsynced ones in a crash", "[journal][memory]") {
    MemoryJournal journal({"a", "b"});
    std::vector<std::string> seen;
    REQUIRE(journal.load([&](std::string_view r) { seen.emplace_back(r); }).ok());
    CHECK(seen == std::vector<std::string>{"a", "b"});

    auto first = journal.append(std::vector<std::string>{"c"});
    REQUIRE(first.ok());
    CHECK(*first.value == 2);
    REQUIRE(journal.sync().ok());
    REQUIRE(journal.append(std::vector<std::string>{"d"}).ok());
    CHECK(journal.durable() == 3);
    CHECK(journal.records().size() == 4);

    journal.crash();
    CHECK(journal.records() == std::vector<std::string>{"a", "b", "c"});
    CHECK_FALSE(journal.append(std::vector<std::string>{"e"}).ok());  // must load again
    seen.clear();
    REQUIRE(journal.load([&](std::string_view r) { seen.emplace_back(r); }).ok());
    CHECK(seen.size() == 3);
}

TEST_CASE("memory journal fails on demand and stays failed", "[journal][memory]") {
    MemoryJournal journal;
    REQUIRE(journal.load([](std::string_view) {}).ok());
    journal.fail_next_sync(Error{"journal_io", "memory", "to sync", "Input/output error"});
    REQUIRE(journal.append(std::vector<std::string>{"x"}).ok());
    auto synced = journal.sync();
    REQUIRE_FALSE(synced.ok());
    CHECK(synced.error.code == "journal_io");
    auto after = journal.append(std::vector<std::string>{"y"});
    REQUIRE_FALSE(after.ok());
    CHECK(after.error.code == "journal_failed");
}
