#pragma once
// GroupCommitter: many concurrent appends share one write and one sync.
//
// Callers (the ingest strand) enqueue records with a completion callback and
// return at once; a dedicated writer thread takes everything queued, appends
// it to the journal in one call, syncs once, then runs the callbacks in
// enqueue order. Under load the batch grows by itself: whatever arrives during
// one sync goes out with the next, so throughput is not one record per disk
// flush. A callback runs only after the sync that made its records durable:
// acknowledge then, not before.
//
// The queue is bounded: when it is full append() says so (journal_busy) and
// the caller answers with back-pressure (HTTP 503/429) rather than letting
// memory grow.
//
// Callbacks run on the writer thread, one at a time; they must be quick, must
// not throw, and should hand off to the caller's own executor (asio::post to
// the ingest strand). They must not call stop().
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "journal/journal.hpp"

namespace declared {

struct GroupCommitOptions {
    std::size_t max_queued_records = 65536;          // waiting, not yet being written
    std::size_t max_queued_bytes = 64u << 20;        // payload bytes waiting
    std::size_t max_batch_records = 8192;            // per append+sync (at least one append call)
    std::size_t max_batch_bytes = 8u << 20;
    // Told each successful sync's latency, on the writer thread (it must not
    // block): /metrics keeps the histogram.
    std::function<void(double seconds)> on_sync = {};
};

// What the syncs have done, for /metrics and logs (the latency histogram is
// the on_sync observer's).
struct SyncStats {

    std::uint64_t syncs = 0;     // successful syncs (one per batch)
    std::uint64_t records = 0;   // records made durable
    std::uint64_t failures = 0;  // batches that failed (the first failure stops all writes)
    double last_seconds = 0;
    double sum_seconds = 0;
    double max_seconds = 0;
    std::uint64_t max_batch = 0;  // most records made durable by one sync
};

class GroupCommitter {
public:
    // position: the journal position (0-based record index) of the first
    // record of this append; the rest follow consecutively.
    using Done = std::function<void(const Result<std::uint64_t>& position)>;

    // The journal must be loaded; from now on only the writer thread touches it.
    explicit GroupCommitter(Journal& journal, GroupCommitOptions options = {});
    ~GroupCommitter();  // stop()
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // Queues records to be written together (one batch never splits them
    // across syncs). Returns the number of records now waiting, or an error
    // without queueing anything, in which case done is never called:
    // journal_busy (queue full: back-pressure), journal_closed (stopping),
    // journal_failed (an earlier write or sync failed), journal_record_size.
    // An empty append is a barrier: done runs once everything queued before
    // it is durable.
    Result<std::size_t> append(std::vector<std::string> records, Done done);
    Result<std::size_t> append(std::string record, Done done);

    // Stops accepting, writes and syncs everything already queued, runs its
    // callbacks, and joins the writer. Idempotent.
    void stop();

    SyncStats stats() const;
    std::size_t queued_records() const;
    // The largest record, and the most bytes, one append() takes.
    std::size_t max_record_size() const { return journal_.max_record_size(); }
    std::size_t max_append_bytes() const { return options_.max_queued_bytes; }

private:
    struct Item {
        std::vector<std::string> records;
        std::size_t bytes = 0;
        Done done;
    };

    void run();
    void commit(std::vector<Item>& batch);

    Journal& journal_;
    const GroupCommitOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Item> queue_;
    std::size_t queued_records_ = 0;
    std::size_t queued_bytes_ = 0;
    bool stopping_ = false;
    std::optional<Error> failed_;
    SyncStats stats_;

    std::mutex stop_mutex_;
    std::thread writer_;
};

}  // namespace declared
