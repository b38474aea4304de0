#include "journal/memory_journal.hpp"

#include <utility>

namespace declared {

MemoryJournal::MemoryJournal(std::vector<std::string> durable_records, std::size_t max_record_size)
    : max_record_size_(max_record_size), records_(std::move(durable_records)), durable_(records_.size()) {}

Result<LoadReport> MemoryJournal::load(const RecordFn& on_record) {
    std::vector<std::string> copy;
    {
        std::lock_guard lock(mutex_);
        if (loaded_)
            return Result<LoadReport>::of_error(
                Error{"journal_already_loaded", "memory", "load() once per journal", "a second load()"});
        loaded_ = true;
        copy = records_;
    }
    for (const auto& record : copy) on_record(record);
    return Result<LoadReport>{LoadReport{copy.size(), {}}, {}};
}

Result<std::uint64_t> MemoryJournal::append(std::span<const std::string> records) {
    std::lock_guard lock(mutex_);
    if (!loaded_)
        return Result<std::uint64_t>::of_error(
            Error{"journal_not_loaded", "memory", "load() before append()", "append() on an unloaded journal"});
    if (fail_append_) {
        failed_ = std::exchange(fail_append_, std::nullopt);
        return Result<std::uint64_t>::of_error(*failed_);
    }
    if (failed_)
        return Result<std::uint64_t>::of_error(Error{"journal_failed", "memory", "a journal accepting writes",
                                                 "one that failed earlier: " + failed_->message()});
    for (const auto& record : records) {
        if (record.empty() || record.size() > max_record_size_)
            return Result<std::uint64_t>::of_error(
                Error{"journal_record_size", "memory",
                      "a record of 1 to " + std::to_string(max_record_size_) + " bytes",
                      std::to_string(record.size()) + " bytes"});
    }
    const std::uint64_t first = records_.size();
    records_.insert(records_.end(), records.begin(), records.end());
    ++appends_;
    return Result<std::uint64_t>{first, {}};
}

Result<std::uint64_t> MemoryJournal::sync() {
    std::lock_guard lock(mutex_);
    if (!loaded_)
        return Result<std::uint64_t>::of_error(
            Error{"journal_not_loaded", "memory", "load() before sync()", "sync() on an unloaded journal"});
    if (fail_sync_) {
        failed_ = std::exchange(fail_sync_, std::nullopt);
        return Result<std::uint64_t>::of_error(*failed_);
    }
    if (failed_)
        return Result<std::uint64_t>::of_error(Error{"journal_failed", "memory", "a journal accepting writes",
                                                 "one that failed earlier: " + failed_->message()});
    durable_ = records_.size();
    ++syncs_;
    return Result<std::uint64_t>{durable_, {}};
}

std::vector<std::string> MemoryJournal::records() const {
    std::lock_guard lock(mutex_);
    return records_;
}

std::uint64_t MemoryJournal::durable() const {
    std::lock_guard lock(mutex_);
    return durable_;
}

std::uint64_t MemoryJournal::appends() const {
    std::lock_guard lock(mutex_);
    return appends_;
}

std::uint64_t MemoryJournal::syncs() const {
    std::lock_guard lock(mutex_);
    return syncs_;
}

void MemoryJournal::fail_next_append(Error error) {
    std::lock_guard lock(mutex_);
    fail_append_ = std::move(error);
}

void MemoryJournal::fail_next_sync(Error error) {
    std::lock_guard lock(mutex_);
    fail_sync_ = std::move(error);
}

void MemoryJournal::crash() {
    std::lock_guard lock(mutex_);
    records_.resize(durable_);
    loaded_ = false;
    fail_append_.reset();
    fail_sync_.reset();
    failed_.reset();
}

}  // namespace declared
