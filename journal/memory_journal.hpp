#pragma once
// MemoryJournal: the journal held in memory, for tests of the units that use
// a Journal. It can fail on demand and simulate a crash (losing what was
// appended but not synced). Unlike the other journals its inspection methods
// are safe to call from any thread.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "journal/journal.hpp"

namespace declared {

class MemoryJournal final : public Journal {
public:
    MemoryJournal() = default;
    explicit MemoryJournal(std::vector<std::string> durable_records, std::size_t max_record_size = 16u << 20);

    Result<LoadReport> load(const RecordFn& on_record) override;
    Result<std::uint64_t> append(std::span<const std::string> records) override;
    Result<std::uint64_t> sync() override;
    std::size_t max_record_size() const override { return max_record_size_; }

    // Inspection.
    std::vector<std::string> records() const;  // appended, durable or not
    std::uint64_t durable() const;             // how many of them are durable
    std::uint64_t appends() const;             // successful append() calls
    std::uint64_t syncs() const;               // successful sync() calls

    // Fault injection: the next append() or sync() fails with this error, and
    // (like a real journal) every write after it fails too.
    void fail_next_append(Error error);
    void fail_next_sync(Error error);

    // Drops records that were appended but not synced, clears any failure and
    // requires a new load(): what a restart after a crash would find.
    void crash();

private:
    const std::size_t max_record_size_ = 16u << 20;
    mutable std::mutex mutex_;
    std::vector<std::string> records_;
    std::uint64_t durable_ = 0;
    std::uint64_t appends_ = 0;
    std::uint64_t syncs_ = 0;
    bool loaded_ = false;
    std::optional<Error> fail_append_;
    std::optional<Error> fail_sync_;
    std::optional<Error> failed_;
};

}  // namespace declared
