#pragma once
// A journal for tests of what sits above it (the group committer, ingest):
// a MemoryJournal whose sync() waits until the test opens the gate, holding
// the writer thread in "fsync" for as long as the test needs.
#include <condition_variable>
#include <mutex>

#include "journal/memory_journal.hpp"

namespace declared::testing {

// A journal whose sync() waits until the test opens the gate: it holds the
// writer thread in "fsync" so the queue behind it fills up.
class GatedJournal final : public Journal {
public:
    Result<LoadReport> load(const RecordFn& on_record) override { return inner.load(on_record); }
    Result<std::uint64_t> append(std::span<const std::string> records) override { return inner.append(records); }
    std::size_t max_record_size() const override { return inner.max_record_size(); }
    Result<std::uint64_t> sync() override {
        std::unique_lock lock(mutex_);
        ++waiting_;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
        return inner.sync();
    }

    void open() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }
    void wait_for_syncs(int n) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return waiting_ >= n; });
    }

    MemoryJournal inner;

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int waiting_ = 0;
    bool open_ = false;
};

}  // namespace declared::testing
