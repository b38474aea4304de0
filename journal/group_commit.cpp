#include "journal/group_commit.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace declared {

GroupCommitter::GroupCommitter(Journal& journal, GroupCommitOptions options)
    : journal_(journal), options_(options) {
    writer_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() { stop(); }

Result<std::size_t> GroupCommitter::append(std::string record, Done done) {
    std::vector<std::string> records;
    records.push_back(std::move(record));
    return append(std::move(records), std::move(done));
}

Result<std::size_t> GroupCommitter::append(std::vector<std::string> records, Done done) {
    // Checked here, not left to the journal: one bad record must not fail
    // the others that share its batch.
    const std::size_t max_record = journal_.max_record_size();
    std::size_t bytes = 0;
    for (const auto& record : records) {
        if (record.empty() || record.size() > max_record)
            return Result<std::size_t>::of_error(
                Error{"journal_record_size", "journal",
                      "records of 1 to " + std::to_string(max_record) + " bytes",
                      "a record of " + std::to_string(record.size()) + " bytes"});
        bytes += record.size();
    }
    if (records.size() > options_.max_queued_records || bytes > options_.max_queued_bytes)
        return Result<std::size_t>::of_error(Error{
            "journal_record_size", "journal",
            "at most " + std::to_string(options_.max_queued_records) + " records and " +
                std::to_string(options_.max_queued_bytes) + " bytes in one append",
            std::to_string(records.size()) + " records of " + std::to_string(bytes) + " bytes"});
    std::size_t waiting = 0;
    {
        std::lock_guard lock(mutex_);
        if (stopping_)
            return Result<std::size_t>::of_error(
                Error{"journal_closed", "journal", "a running journal", "one that is shutting down"});
        if (failed_)
            return Result<std::size_t>::of_error(Error{"journal_failed", "journal", "a journal accepting writes",
                                                   "one that failed earlier: " + failed_->message()});
        if (queued_records_ + records.size() > options_.max_queued_records ||
            queued_bytes_ + bytes > options_.max_queued_bytes)
            return Result<std::size_t>::of_error(Error{
                "journal_busy", "journal",
                "room in the commit queue (at most " + std::to_string(options_.max_queued_records) +
                    " records or " + std::to_string(options_.max_queued_bytes) + " bytes waiting for a sync)",
                std::to_string(queued_records_) + " records of " + std::to_string(queued_bytes_) +
                    " bytes waiting; retry later"});
        queued_records_ += records.size();
        queued_bytes_ += bytes;
        waiting = queued_records_;
        queue_.push_back(Item{std::move(records), bytes, std::move(done)});
    }
    wake_.notify_one();
    return Result<std::size_t>{waiting, {}};
}

void GroupCommitter::stop() {
    std::lock_guard stop_lock(stop_mutex_);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (writer_.joinable()) writer_.join();
}

SyncStats GroupCommitter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::size_t GroupCommitter::queued_records() const {
    std::lock_guard lock(mutex_);
    return queued_records_;
}

void GroupCommitter::run() {
    std::vector<Item> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything queued is done
            std::size_t records = 0;
            std::size_t bytes = 0;
            while (!queue_.empty()) {
                Item& next = queue_.front();
                if (!batch.empty() && (records + next.records.size() > options_.max_batch_records ||
                                       bytes + next.bytes > options_.max_batch_bytes))
                    break;
                records += next.records.size();
                bytes += next.bytes;
                batch.push_back(std::move(next));
                queue_.pop_front();
            }
            queued_records_ -= records;
            queued_bytes_ -= bytes;
        }
        commit(batch);
        batch.clear();
    }
}

void GroupCommitter::commit(std::vector<Item>& batch) {
    std::size_t count = 0;
    for (const auto& item : batch) count += item.records.size();
    std::vector<std::string> records;
    records.reserve(count);
    for (auto& item : batch)
        for (auto& record : item.records) records.push_back(std::move(record));

    std::optional<Error> failure;
    {
        std::lock_guard lock(mutex_);
        failure = failed_;
    }
    std::uint64_t position = 0;
    if (!failure) {
        auto appended = journal_.append(records);
        if (appended.ok()) {
            position = *appended.value;
        } else {
            failure = appended.error;
        }
    }
    if (!failure) {
        const auto start = std::chrono::steady_clock::now();
        auto synced = journal_.sync();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (synced.ok() && options_.on_sync) options_.on_sync(seconds);
        std::lock_guard lock(mutex_);
        if (synced.ok()) {
            ++stats_.syncs;
            stats_.records += count;
            stats_.last_seconds = seconds;
            stats_.sum_seconds += seconds;
            stats_.max_seconds = std::max(stats_.max_seconds, seconds);
            stats_.max_batch = std::max<std::uint64_t>(stats_.max_batch, count);
        } else {
            failure = synced.error;
        }
    }
    if (failure) {
        std::lock_guard lock(mutex_);
        if (!failed_) failed_ = failure;
        ++stats_.failures;
    }

    for (auto& item : batch) {
        if (!item.done) {
            position += item.records.size();
        } else if (failure) {
            item.done(Result<std::uint64_t>::of_error(*failure));
        } else {
            item.done(Result<std::uint64_t>{position, {}});
            position += item.records.size();
        }
    }
}

}  // namespace declared
