#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "journal/file_journal.hpp"
#include "journal/group_commit.hpp"
#include "journal/memory_journal.hpp"
#include "tests/journal/gated_journal.hpp"
#include "tests/journal/temp_dir.hpp"
#include "tests/support/handoff.hpp"

using declared::Error;
using declared::FileJournal;
using declared::GroupCommitOptions;
using declared::GroupCommitter;
using declared::Journal;
using declared::LoadReport;
using declared::MemoryJournal;
using declared::Result;
using declared::SyncStats;
using declared::testing::GatedJournal;
using declared::testing::TempDir;

using declared::testing::Handoff;

namespace {

// Acknowledgements in the order the committer ran them.
struct Acks {
    std::mutex mutex;
    std::vector<std::string> records;
    std::vector<std::uint64_t> positions;
    std::vector<Error> errors;

    GroupCommitter::Done done_for(std::string record) {
        return [this, record = std::move(record)](const Result<std::uint64_t>& r) {
            std::lock_guard lock(mutex);
            if (r.ok()) {
                records.push_back(record);
                positions.push_back(*r.value);
            } else {
                errors.push_back(r.error);
            }
        };
    }
};

std::vector<std::string> load_all(Journal& journal) {
    std::vector<std::string> out;
    auto loaded = journal.load([&](std::string_view r) { out.emplace_back(r); });
    REQUIRE(loaded.ok());
    return out;
}

std::string record_for(int thread, int i) {
    return R"({"line":{"thread":)" + std::to_string(thread) + R"(,"i":)" + std::to_string(i) +
           R"(},"received_at":"2022-05-06T01:02:03Z"})";
}

}  // namespace

TEST_CASE("many threads append concurrently: every ack is on disk, in ack order, in fewer syncs",
          "[journal][group]") {
    TempDir dir;
    const auto path = dir.file("journal");
    constexpr int kThreads = 8;
    constexpr int kPerThread = 250;
    Acks acks;
    SyncStats stats;
    std::atomic<std::uint64_t> observed{0};  // the on_sync observer: once per sync
    {
        FileJournal journal(path);
        REQUIRE(load_all(journal).empty());
        GroupCommitter committer(journal, GroupCommitOptions{.max_queued_records = 256,
                                                             .on_sync = [&](double) { ++observed; }});
        std::atomic<int> busy{0};
        std::atomic<int> unexpected{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    // Like an ingest strand: fire, and retry later on back-pressure.
                    for (;;) {
                        auto queued = committer.append(record_for(t, i), acks.done_for(record_for(t, i)));
                        if (queued.ok()) break;
                        if (queued.error.code != "journal_busy") {
                            ++unexpected;  // Catch assertions are not thread-safe
                            return;
                        }
                        ++busy;
                        std::this_thread::sleep_for(std::chrono::microseconds(200));
                    }
                }
            });
        }
        for (auto& thread : threads) thread.join();
        committer.stop();
        stats = committer.stats();
        REQUIRE(unexpected == 0);
        INFO("back-pressure retries: " << busy.load());
    }
    constexpr int kTotal = kThreads * kPerThread;
    REQUIRE(acks.errors.empty());
    REQUIRE(acks.records.size() == kTotal);
    std::vector<std::uint64_t> expected(kTotal);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(acks.positions == expected);

    FileJournal reopened(path);
    CHECK(load_all(reopened) == acks.records);

    CHECK(stats.records == kTotal);
    CHECK(stats.syncs < static_cast<std::uint64_t>(kTotal));
    CHECK(stats.max_batch > 1);
    CHECK(observed == stats.syncs);
    CHECK(stats.sum_seconds >= stats.max_seconds);
    CHECK(stats.failures == 0);
}

TEST_CASE("clients that each wait for their ack still share syncs", "[journal][group]") {
    TempDir dir;
    const auto path = dir.file("journal");
    constexpr int kThreads = 16;
    constexpr int kPerThread = 40;
    Acks acks;
    SyncStats stats;
    {
        FileJournal journal(path);
        REQUIRE(load_all(journal).empty());
        GroupCommitter committer(journal);
        std::atomic<int> unexpected{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    auto acked = std::make_shared<Handoff<bool>>();
                    auto record = record_for(t, i);
                    auto record_ack = acks.done_for(record);
                    auto queued = committer.append(record, [&, acked](const Result<std::uint64_t>& r) {
                        record_ack(r);
                        acked->set(true);
                    });
                    if (!queued.ok() || !acked->wait_for(std::chrono::seconds(30))) {
                        ++unexpected;
                        return;
                    }
                }
            });
        }
        for (auto& thread : threads) thread.join();
        REQUIRE(unexpected == 0);
        stats = committer.stats();
    }
    REQUIRE(acks.records.size() == kThreads * kPerThread);
    FileJournal reopened(path);
    CHECK(load_all(reopened) == acks.records);
    CHECK(stats.syncs < static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_CASE("a full queue is back-pressure, not growth", "[journal][group]") {
    GatedJournal journal;
    REQUIRE(load_all(journal).empty());
    Acks acks;
    GroupCommitter committer(journal, GroupCommitOptions{.max_queued_records = 4});

    REQUIRE(committer.append("first", acks.done_for("first")).ok());
    journal.wait_for_syncs(1);  // the writer holds "first" in sync
    CHECK(committer.queued_records() == 0);

    for (int i = 0; i < 4; ++i) {
        auto queued = committer.append("r" + std::to_string(i), acks.done_for("r" + std::to_string(i)));
        REQUIRE(queued.ok());
        CHECK(*queued.value == static_cast<std::size_t>(i + 1));
    }
    auto full = committer.append("one too many", acks.done_for("one too many"));
    REQUIRE_FALSE(full.ok());
    CHECK(full.error.code == "journal_busy");
    CHECK(committer.queued_records() == 4);

    auto too_big = committer.append(std::vector<std::string>(5, "x"), acks.done_for("batch"));
    REQUIRE_FALSE(too_big.ok());
    CHECK(too_big.error.code == "journal_record_size");

    {
        std::lock_guard lock(acks.mutex);
        CHECK(acks.records.empty());  // nothing acknowledged before its sync
    }
    journal.open();
    committer.stop();
    CHECK(acks.records == std::vector<std::string>{"first", "r0", "r1", "r2", "r3"});
    CHECK(journal.inner.records() == acks.records);
    CHECK(journal.inner.syncs() == 2);  // "first", then the four queued behind it together

    auto closed = committer.append("late", acks.done_for("late"));
    REQUIRE_FALSE(closed.ok());
    CHECK(closed.error.code == "journal_closed");
}

TEST_CASE("a failed sync fails its batch and every later append", "[journal][group]") {
    MemoryJournal journal;
    REQUIRE(load_all(journal).empty());
    Acks acks;
    GroupCommitter committer(journal);

    auto first_done = std::make_shared<Handoff<bool>>();
    REQUIRE(committer.append("ok", [&, first_done](const Result<std::uint64_t>& r) {
        acks.done_for("ok")(r);
        first_done->set(true);
    }).ok());
    REQUIRE(first_done->wait_for(std::chrono::seconds(10)));

    journal.fail_next_sync(Error{"journal_io", "journal:42", "to fdatasync the journal", "Input/output error"});
    auto second_done = std::make_shared<Handoff<bool>>();
    REQUIRE(committer.append("lost", [&, second_done](const Result<std::uint64_t>& r) {
        acks.done_for("lost")(r);
        second_done->set(true);
    }).ok());
    REQUIRE(second_done->wait_for(std::chrono::seconds(10)));

    {
        std::lock_guard lock(acks.mutex);
        CHECK(acks.records == std::vector<std::string>{"ok"});
        REQUIRE(acks.errors.size() == 1);
        CHECK(acks.errors[0].code == "journal_io");
    }
    auto later = committer.append("later", acks.done_for("later"));
    REQUIRE_FALSE(later.ok());
    CHECK(later.error.code == "journal_failed");
    CHECK(committer.stats().failures == 1);
}

TEST_CASE("a record the journal cannot take is refused alone, at enqueue", "[journal][group]") {
    MemoryJournal journal({}, 10);
    REQUIRE(load_all(journal).empty());
    Acks acks;
    GroupCommitter committer(journal);
    REQUIRE(committer.append("fits", acks.done_for("fits")).ok());
    auto too_long = committer.append("eleven byte", acks.done_for("eleven byte"));
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error.code == "journal_record_size");
    auto empty = committer.append("", acks.done_for(""));
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error.code == "journal_record_size");
    REQUIRE(committer.append("also fits", acks.done_for("also fits")).ok());
    committer.stop();
    CHECK(acks.errors.empty());
    CHECK(acks.records == std::vector<std::string>{"fits", "also fits"});
}

TEST_CASE("stop drains the queue, and an empty append is a barrier", "[journal][group]") {
    GatedJournal journal;
    REQUIRE(load_all(journal).empty());
    Acks acks;
    GroupCommitter committer(journal);
    REQUIRE(committer.append("a", acks.done_for("a")).ok());
    journal.wait_for_syncs(1);
    REQUIRE(committer.append(std::vector<std::string>{"b", "c"}, acks.done_for("b+c")).ok());
    bool barrier = false;
    REQUIRE(committer.append(std::vector<std::string>{}, [&](const Result<std::uint64_t>& r) {
        barrier = r.ok() && journal.inner.durable() == 3;
    }).ok());
    journal.open();
    committer.stop();
    CHECK(barrier);
    CHECK(acks.records == std::vector<std::string>{"a", "b+c"});
    CHECK(acks.positions == std::vector<std::uint64_t>{0, 1});
    CHECK(journal.inner.durable() == 3);
}
