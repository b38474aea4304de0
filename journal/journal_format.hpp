#pragma once
// The journal file's bytes, with no I/O: encode the header and records, and
// scan a whole file image back into records, finding the first damaged one.
// docs/journal.md describes the format; FileJournal does the reading and
// writing.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace declared::journal_format {

inline constexpr std::string_view kMagic{"DECLJRNL", 8};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 16;        // magic, version, flags
inline constexpr std::size_t kRecordHeaderSize = 8;   // length, CRC32C
inline constexpr std::uint32_t kMaxRecordSize = 16u << 20;  // 16 MiB

// CRC32C (Castagnoli), as used by iSCSI, ext4 and LevelDB.
std::uint32_t crc32c(std::string_view bytes);

// The 16-byte file header of the current version.
std::string header();

// Appends one framed record (length, CRC32C, payload) to out.
// The payload must be 1..kMaxRecordSize bytes (check with record_size_ok).
void append_record(std::string& out, std::string_view payload);
bool record_size_ok(std::size_t size);

enum class HeaderCheck {
    ok,
    partial,      // shorter than a header and a prefix of one: creation was interrupted
    bad_magic,    // not a journal
    bad_version,  // a journal of a version this build does not read
    bad_flags,    // version 1 with flags this build does not know
};
struct HeaderResult {
    HeaderCheck check;
    std::uint32_t version = 0;  // when check is bad_version
    std::uint32_t flags = 0;    // when check is bad_flags
};
HeaderResult check_header(std::string_view file);

enum class Damage {
    short_header,       // fewer than 8 bytes left for the record header
    impossible_length,  // length 0 or over kMaxRecordSize
    short_payload,      // length runs past the end of the file
    crc_mismatch,       // payload does not match its CRC32C
};
const char* describe(Damage damage);

struct BadRecord {
    std::uint64_t offset = 0;  // where the damaged record starts
    std::uint64_t index = 0;   // how many good records precede it
    Damage damage = Damage::short_header;
    std::uint32_t length = 0;      // as stored (when there were 8 header bytes)
    std::uint32_t stored_crc = 0;  // as stored
    std::uint32_t actual_crc = 0;  // of the payload (crc_mismatch only)
    // A well-formed record starts somewhere after offset: the damage is not
    // confined to the tail, so it is corruption, not an interrupted append.
    std::optional<std::uint64_t> valid_record_after;
};

struct Scan {
    std::vector<std::string_view> records;  // views into the scanned image
    std::uint64_t end = 0;                  // just past the last good record
    std::optional<BadRecord> bad;           // the first damaged record, if any
};

// Scans a whole file image whose header check_header() accepted.
Scan scan(std::string_view file);

}  // namespace declared::journal_format
