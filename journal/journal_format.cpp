#include "journal/journal_format.hpp"

#include <algorithm>

#include <boost/crc.hpp>

namespace declared::journal_format {
namespace {

using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t get_u32(std::string_view bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    return v;
}

// Checks the record at offset; on success sets length and returns nullopt.
std::optional<Damage> check_record(std::string_view file, std::size_t offset, BadRecord& info) {
    const std::size_t left = file.size() - offset;
    if (left < kRecordHeaderSize) return Damage::short_header;
    info.length = get_u32(file, offset);
    info.stored_crc = get_u32(file, offset + 4);
    if (!record_size_ok(info.length)) return Damage::impossible_length;
    if (left - kRecordHeaderSize < info.length) return Damage::short_payload;
    info.actual_crc = crc32c(file.substr(offset + kRecordHeaderSize, info.length));
    if (info.actual_crc != info.stored_crc) return Damage::crc_mismatch;
    return std::nullopt;
}

// The first offset after `from` where a well-formed record starts. A torn
// append leaves nothing well-formed after itself; corruption in the middle of
// the log does. Lengths are checked before any CRC is computed, so text and
// zero-filled tails are skipped cheaply.
std::optional<std::uint64_t> find_valid_record(std::string_view file, std::size_t from) {
    for (std::size_t at = from; at + kRecordHeaderSize < file.size(); ++at) {
        BadRecord probe;
        if (!check_record(file, at, probe)) return at;
    }
    return std::nullopt;
}

}  // namespace

std::uint32_t crc32c(std::string_view bytes) {
    Crc32c crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

std::string header() {
    std::string out(kMagic);
    put_u32(out, kVersion);
    put_u32(out, 0);  // flags: none defined in version 1
    return out;
}

bool record_size_ok(std::size_t size) { return size > 0 && size <= kMaxRecordSize; }

void append_record(std::string& out, std::string_view payload) {
    put_u32(out, static_cast<std::uint32_t>(payload.size()));
    put_u32(out, crc32c(payload));
    out.append(payload);
}

HeaderResult check_header(std::string_view file) {
    const std::string expected = header();
    if (file.size() < kHeaderSize) {
        // Only the magic and version of a fresh header can be a torn prefix.
        if (expected.compare(0, file.size(), file) == 0) return {HeaderCheck::partial};
        if (file.substr(0, std::min(file.size(), kMagic.size())) != kMagic.substr(0, std::min(file.size(), kMagic.size())))
            return {HeaderCheck::bad_magic};
        return {HeaderCheck::bad_version};
    }
    if (file.substr(0, kMagic.size()) != kMagic) return {HeaderCheck::bad_magic};
    const std::uint32_t version = get_u32(file, kMagic.size());
    if (version != kVersion) return {HeaderCheck::bad_version, version};
    const std::uint32_t flags = get_u32(file, kMagic.size() + 4);
    if (flags != 0) return {HeaderCheck::bad_flags, version, flags};
    return {HeaderCheck::ok, version};
}

const char* describe(Damage damage) {
    switch (damage) {
        case Damage::short_header: return "a record header cut short by the end of the file";
        case Damage::impossible_length: return "an impossible record length";
        case Damage::short_payload: return "a record cut short by the end of the file";
        case Damage::crc_mismatch: return "a record whose CRC32C does not match its payload";
    }
    return "a damaged record";
}

Scan scan(std::string_view file) {
    Scan out;
    std::size_t at = kHeaderSize;
    while (at < file.size()) {
        BadRecord bad;
        if (auto damage = check_record(file, at, bad)) {
            bad.offset = at;
            bad.index = out.records.size();
            bad.damage = *damage;
            bad.valid_record_after = find_valid_record(file, at + 1);
            out.bad = bad;
            break;
        }
        out.records.push_back(file.substr(at + kRecordHeaderSize, bad.length));
        at += kRecordHeaderSize + bad.length;
    }
    out.end = at;
    return out;
}

}  // namespace declared::journal_format
