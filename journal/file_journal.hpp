#pragma once
// FileJournal: the journal as one local append-only file (docs/journal.md).
// POSIX I/O: pwrite at a tracked offset, fdatasync, an exclusive flock so two
// daemons never write the same file.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "journal/journal.hpp"

namespace declared {

namespace journal_format {
struct BadRecord;
}

struct FileJournalOptions {
    // --repair-journal: keep the valid prefix, cutting the file at the first
    // damaged record wherever it is, instead of refusing to load.
    bool repair = false;
};

class FileJournal final : public Journal {
public:
    // No I/O until load(), which opens (creating if absent) and locks the file.
    explicit FileJournal(std::string path, FileJournalOptions options = {});
    ~FileJournal() override;
    FileJournal(const FileJournal&) = delete;
    FileJournal& operator=(const FileJournal&) = delete;

    Result<LoadReport> load(const RecordFn& on_record) override;
    Result<std::uint64_t> append(std::span<const std::string> records) override;
    Result<std::uint64_t> sync() override;
    std::size_t max_record_size() const override;

    const std::string& path() const { return path_; }
    std::uint64_t size() const { return end_; }  // bytes of header and good records

private:
    Result<LoadReport> load_image(const std::string& image, const RecordFn& on_record);
    std::optional<Result<LoadReport>> load_header(const std::string& image);
    std::optional<Error> cut_damage(const journal_format::BadRecord& bad, std::size_t image_size, LoadReport& report);
    Error io_error(const char* what, int err, std::uint64_t offset) const;
    std::string where(std::uint64_t offset) const;
    bool truncate_to(std::uint64_t size, Error& error);
    bool write_all(const std::string& bytes, std::uint64_t offset, Error& error);

    std::string path_;
    FileJournalOptions options_;
    int fd_ = -1;
    bool created_ = false;
    std::uint64_t end_ = 0;      // file offset of the next append
    std::uint64_t records_ = 0;  // records stored (appended, durable or not)
    std::uint64_t durable_ = 0;  // records known to be on disk
    std::optional<Error> failed_;  // set once a write or sync failed, or load refused
};

}  // namespace declared
