#include "journal/file_journal.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/journal_format.hpp"

namespace declared {
namespace fmt = journal_format;

namespace {

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

// The first bytes of a file that is not a journal, safe to print.
std::string printable_prefix(std::string_view bytes) {
    if (bytes.empty()) return "an empty header";
    std::string out = "\"";
    for (unsigned char c : bytes.substr(0, fmt::kMagic.size())) {
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out + "\"";
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string parent_dir(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Makes a newly created file's directory entry durable.
int sync_dir(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int rc = ::fsync(fd);
    const int err = rc < 0 ? errno : 0;
    ::close(fd);
    return err;
}

}  // namespace

FileJournal::FileJournal(std::string path, FileJournalOptions options)
    : path_(std::move(path)), options_(options) {}

FileJournal::~FileJournal() {
    if (fd_ >= 0) ::close(fd_);
}

std::string FileJournal::where(std::uint64_t offset) const {
    return path_ + ":" + std::to_string(offset);
}

Error FileJournal::io_error(const char* what, int err, std::uint64_t offset) const {
    return Error{"journal_io", where(offset), std::string("to ") + what, std::strerror(err)};
}

bool FileJournal::truncate_to(std::uint64_t size, Error& error) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) < 0) {
        error = io_error("truncate the journal", errno, size);
        return false;
    }
    if (::fdatasync(fd_) < 0) {
        error = io_error("sync the truncated journal", errno, size);
        return false;
    }
    return true;
}

bool FileJournal::write_all(const std::string& bytes, std::uint64_t offset, Error& error) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                   static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            error = io_error("write to the journal", errno, offset + done);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

Result<LoadReport> FileJournal::load(const RecordFn& on_record) {
    if (fd_ >= 0 || failed_)
        return Result<LoadReport>::of_error(
            Error{"journal_already_loaded", path_, "load() once per journal", "a second load()"});

    auto refuse = [this](Error e) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        failed_ = e;
        return Result<LoadReport>::of_error(std::move(e));
    };

    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    created_ = fd_ >= 0;
    if (fd_ < 0 && errno == EEXIST) fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) return refuse(io_error("open or create the journal", errno, 0));

    if (::flock(fd_, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            return refuse(Error{"journal_locked", path_, "a journal no other process has open",
                                "a journal locked by another process (is another declared running?)"});
        return refuse(io_error("lock the journal", errno, 0));
    }

    struct stat st {};
    if (::fstat(fd_, &st) < 0) return refuse(io_error("stat the journal", errno, 0));
    std::string image(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < image.size()) {
        const ssize_t n = ::pread(fd_, image.data() + got, image.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return refuse(io_error("read the journal", errno, got));
        if (n == 0) break;  // shrank under us; scan what we have
        got += static_cast<std::size_t>(n);
    }
    image.resize(got);

    auto loaded = load_image(image, on_record);
    if (!loaded.ok()) return refuse(loaded.error);
    if (created_) {
        if (const int err = sync_dir(parent_dir(path_)))
            return refuse(io_error("sync the journal's directory", err, 0));
    }
    return loaded;
}

// The file header. Empty to go on to the records; otherwise the whole load's
// result: a new (or torn new) file rewritten, or why this is no journal.
std::optional<Result<LoadReport>> FileJournal::load_header(const std::string& image) {
    using R = Result<LoadReport>;
    LoadReport report;
    Error error;
    const auto header = fmt::check_header(image);
    switch (header.check) {
        case fmt::HeaderCheck::ok: return std::nullopt;
        case fmt::HeaderCheck::partial: {
            // New file, or a crash while creating one: there are no records.
            if (!image.empty())
                report.warnings.push_back(Error{
                    "journal_torn_header", where(0), "a complete file header",
                    plural(image.size(), "byte", "bytes") + " of one (creation was interrupted); rewrote it"});
            if (!truncate_to(0, error) || !write_all(fmt::header(), 0, error)) return R::of_error(error);
            if (::fdatasync(fd_) < 0) return R::of_error(io_error("sync the journal header", errno, 0));
            end_ = fmt::kHeaderSize;
            return R{std::move(report), {}};
        }
        case fmt::HeaderCheck::bad_magic:
            return R::of_error(Error{"journal_bad_magic", where(0), "a declared journal starting with \"DECLJRNL\"",
                                 printable_prefix(image) + " (not a journal; check --journal)"});
        case fmt::HeaderCheck::bad_version:
            return R::of_error(
                Error{"journal_bad_version", where(fmt::kMagic.size()),
                      "journal format version " + std::to_string(fmt::kVersion),
                      image.size() < fmt::kHeaderSize
                          ? std::string("a truncated header")
                          : "version " + std::to_string(header.version) +
                                " (written by a different release of declared)"});
        case fmt::HeaderCheck::bad_flags:
            return R::of_error(Error{"journal_bad_version", where(fmt::kMagic.size() + 4),
                                 "header flags 0 in format version 1", "flags " + hex32(header.flags)});
    }
    return std::nullopt;
}

// A damaged record: refused where records follow it (unless repairing), else
// cut off with a warning saying what was dropped.
std::optional<Error> FileJournal::cut_damage(const journal_format::BadRecord& bad, std::size_t image_size,
                                             LoadReport& report) {
    std::string got = fmt::describe(bad.damage);
    if (bad.damage != fmt::Damage::short_header) got += " (length " + std::to_string(bad.length);
    if (bad.damage == fmt::Damage::crc_mismatch)
        got += ", stored CRC32C " + hex32(bad.stored_crc) + ", computed " + hex32(bad.actual_crc);
    if (bad.damage != fmt::Damage::short_header) got += ")";
    const std::uint64_t dropped = image_size - bad.offset;
    const std::string expected = "intact record #" + std::to_string(bad.index);

    if (bad.valid_record_after && !options_.repair) {
        return Error{
            "journal_corrupt", where(bad.offset),
            expected + " (the journal is damaged before its last record; start with --repair-journal to keep the " +
                plural(bad.index, "record", "records") + " before byte " + std::to_string(bad.offset) +
                " and drop the " + plural(dropped, "byte", "bytes") + " from there)",
            got + ", and a well-formed record follows at byte " + std::to_string(*bad.valid_record_after)};
    }
    if (Error error; !truncate_to(bad.offset, error)) return error;
    if (bad.valid_record_after) {
        report.warnings.push_back(Error{
            "journal_repaired", where(bad.offset), expected,
            got + "; --repair-journal dropped " + plural(dropped, "byte", "bytes") + " from byte " +
                std::to_string(bad.offset) + ", including a well-formed record at byte " +
                std::to_string(*bad.valid_record_after)});
    } else {
        report.warnings.push_back(Error{
            "journal_torn_tail", where(bad.offset), "a complete last record",
            got + ", left by an append interrupted by a crash; truncated the journal to byte " +
                std::to_string(bad.offset) + " (" + plural(dropped, "byte", "bytes") + " dropped)"});
    }
    return std::nullopt;
}

Result<LoadReport> FileJournal::load_image(const std::string& image, const RecordFn& on_record) {
    if (auto done = load_header(image)) return std::move(*done);
    LoadReport report;
    const auto scan = fmt::scan(image);
    if (scan.bad)
        if (auto refused = cut_damage(*scan.bad, image.size(), report)) return Result<LoadReport>::of_error(*refused);
    end_ = scan.end;
    records_ = durable_ = scan.records.size();
    for (std::string_view record : scan.records) on_record(record);
    report.records = scan.records.size();
    return Result<LoadReport>{std::move(report), {}};
}

Result<std::uint64_t> FileJournal::append(std::span<const std::string> records) {
    if (fd_ < 0 && !failed_)
        return Result<std::uint64_t>::of_error(
            Error{"journal_not_loaded", path_, "load() before append()", "append() on an unloaded journal"});
    if (failed_)
        return Result<std::uint64_t>::of_error(Error{"journal_failed", path_, "a journal accepting writes",
                                                 "one that failed earlier: " + failed_->message()});
    std::size_t bytes = 0;
    for (const auto& record : records) {
        if (!fmt::record_size_ok(record.size()))
            return Result<std::uint64_t>::of_error(
                Error{"journal_record_size", path_,
                      "a record of 1 to " + std::to_string(fmt::kMaxRecordSize) + " bytes",
                      plural(record.size(), "byte", "bytes")});
        bytes += fmt::kRecordHeaderSize + record.size();
    }
    std::string frame;
    frame.reserve(bytes);
    for (const auto& record : records) fmt::append_record(frame, record);

    Error error;
    if (!write_all(frame, end_, error)) {
        // Best effort: leave no partial record behind for the next load.
        Error ignored;
        (void)truncate_to(end_, ignored);
        failed_ = error;
        return Result<std::uint64_t>::of_error(error);
    }
    const std::uint64_t first = records_;
    records_ += records.size();
    end_ += frame.size();
    return Result<std::uint64_t>{first, {}};
}

std::size_t FileJournal::max_record_size() const { return fmt::kMaxRecordSize; }

Result<std::uint64_t> FileJournal::sync() {
    if (fd_ < 0 && !failed_)
        return Result<std::uint64_t>::of_error(
            Error{"journal_not_loaded", path_, "load() before sync()", "sync() on an unloaded journal"});
    if (failed_)
        return Result<std::uint64_t>::of_error(Error{"journal_failed", path_, "a journal accepting writes",
                                                 "one that failed earlier: " + failed_->message()});
    if (durable_ == records_) return Result<std::uint64_t>{durable_, {}};
    if (::fdatasync(fd_) < 0) {
        // After a failed fsync the kernel may have dropped the dirty pages:
        // nothing since the last good sync can be trusted. Stop writing.
        failed_ = io_error("fdatasync the journal", errno, end_);
        return Result<std::uint64_t>::of_error(*failed_);
    }
    durable_ = records_;
    return Result<std::uint64_t>{durable_, {}};
}

}  // namespace declared
