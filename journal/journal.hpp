#pragma once
// The journal: an append-only log of accepted inputs, the daemon's source of
// truth. Records are opaque byte strings; the journal knows nothing of
// elections. A restart loads every record in order and rebuilds state from
// them.
//
// This is the narrow interface the rest of the daemon sees. FileJournal keeps
// the log in one local file (docs/journal.md); MemoryJournal is the in-memory
// fake for tests of other units; a replicated log can take their place without
// the callers noticing. Nothing here mentions files, offsets or fsync.
//
// A Journal is not thread-safe: one owner (in the daemon, the GroupCommitter's
// writer thread) calls it. Call load() exactly once, before anything else.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"

namespace declared {

struct LoadReport {
    std::uint64_t records = 0;    // records delivered to the callback
    std::vector<Error> warnings;  // e.g. a torn last record that was dropped: log these
};

class Journal {
public:
    using RecordFn = std::function<void(std::string_view record)>;

    virtual ~Journal() = default;

    // Delivers every stored record, oldest first. Nothing is delivered unless
    // the whole log is usable: on an error the callback has not been called.
    // Damage the journal can safely undo (a record torn by a crash mid-append)
    // is undone and reported in warnings; anything else is an error.
    virtual Result<LoadReport> load(const RecordFn& on_record) = 0;

    // Appends records after everything already stored, in order. Returns the
    // position (0-based record index) of the first of them. Not durable until
    // sync() returns. After a failed append or sync the journal refuses all
    // further writes: what is on disk is no longer known.
    virtual Result<std::uint64_t> append(std::span<const std::string> records) = 0;

    // Makes every appended record durable. Returns the number of durable records.
    virtual Result<std::uint64_t> sync() = 0;

    // The largest record append() takes (records are 1 byte or more). Fixed
    // for the journal's lifetime, so safe to ask from any thread.
    virtual std::size_t max_record_size() const = 0;

protected:
    Journal() = default;
    Journal(const Journal&) = default;
    Journal& operator=(const Journal&) = default;
};

}  // namespace declared
