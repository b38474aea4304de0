#include <catch2/catch.hpp>

#include "journal/journal_format.hpp"

namespace fmt = declared::journal_format;

namespace {

std::string journal_of(std::initializer_list<std::string> records) {
    std::string out = fmt::header();
    for (const auto& record : records) fmt::append_record(out, record);
    return out;
}

}  // namespace

TEST_CASE("crc32c is the Castagnoli CRC", "[journal][format]") {
    // The standard check value for CRC-32C.
    CHECK(fmt::crc32c("123456789") == 0xE3069283u);
    CHECK(fmt::crc32c("") == 0u);
}

TEST_CASE("header is magic, version 1, no flags", "[journal][format]") {
    const std::string header = fmt::header();
    REQUIRE(header.size() == fmt::kHeaderSize);
    CHECK(header == std::string("DECLJRNL\x01\x00\x00\x00\x00\x00\x00\x00", 16));
    CHECK(fmt::check_header(header).check == fmt::HeaderCheck::ok);
}

TEST_CASE("check_header tells a torn header from a foreign file", "[journal][format]") {
    const std::string header = fmt::header();
    for (std::size_t n = 0; n < header.size(); ++n)
        CHECK(fmt::check_header(header.substr(0, n)).check == fmt::HeaderCheck::partial);
    CHECK(fmt::check_header("hello").check == fmt::HeaderCheck::bad_magic);
    CHECK(fmt::check_header("{\"ward\": \"abbey\"}\n").check == fmt::HeaderCheck::bad_magic);

    std::string v2 = header;
    v2[8] = 2;
    auto r = fmt::check_header(v2);
    CHECK(r.check == fmt::HeaderCheck::bad_version);
    CHECK(r.version == 2);

    std::string flagged = header;
    flagged[12] = 1;
    CHECK(fmt::check_header(flagged).check == fmt::HeaderCheck::bad_flags);
}

TEST_CASE("a record is length, CRC32C, payload, little-endian", "[journal][format]") {
    std::string out;
    fmt::append_record(out, "abc");
    const std::uint32_t crc = fmt::crc32c("abc");
    REQUIRE(out.size() == 11);
    CHECK(out.substr(0, 4) == std::string("\x03\x00\x00\x00", 4));
    CHECK(static_cast<unsigned char>(out[4]) == (crc & 0xFF));
    CHECK(static_cast<unsigned char>(out[7]) == (crc >> 24));
    CHECK(out.substr(8) == "abc");
}

TEST_CASE("record sizes are 1 byte to 16 MiB", "[journal][format]") {
    CHECK_FALSE(fmt::record_size_ok(0));
    CHECK(fmt::record_size_ok(1));
    CHECK(fmt::record_size_ok(fmt::kMaxRecordSize));
    CHECK_FALSE(fmt::record_size_ok(fmt::kMaxRecordSize + 1));
}

TEST_CASE("scan returns the records in order", "[journal][format]") {
    const std::string image = journal_of({"one", std::string("t\0o", 3), "three"});
    const auto scan = fmt::scan(image);
    CHECK_FALSE(scan.bad);
    CHECK(scan.end == image.size());
    REQUIRE(scan.records.size() == 3);
    CHECK(scan.records[0] == "one");
    CHECK(scan.records[1] == std::string_view("t\0o", 3));
    CHECK(scan.records[2] == "three");
}

TEST_CASE("scan tells a damaged tail from damage with records after it", "[journal][format]") {
    const std::string good = journal_of({"first", "second"});
    const std::uint64_t second = fmt::kHeaderSize + 8 + 5;

    SECTION("a zero-filled tail is damage with nothing after it") {
        const auto scan = fmt::scan(good + std::string(4096, '\0'));
        REQUIRE(scan.bad);
        CHECK(scan.bad->offset == good.size());
        CHECK(scan.bad->damage == fmt::Damage::impossible_length);
        CHECK_FALSE(scan.bad->valid_record_after);
        CHECK(scan.records.size() == 2);
        CHECK(scan.end == good.size());
    }
    SECTION("a flipped payload byte before a good record") {
        std::string image = journal_of({"first", "second", "third"});
        image[second + 8 + 2] ^= 0x20;
        const auto scan = fmt::scan(image);
        REQUIRE(scan.bad);
        CHECK(scan.bad->offset == second);
        CHECK(scan.bad->index == 1);
        CHECK(scan.bad->damage == fmt::Damage::crc_mismatch);
        REQUIRE(scan.bad->valid_record_after);
        CHECK(*scan.bad->valid_record_after == second + 8 + 6);
    }
    SECTION("a short payload at the end") {
        const auto scan = fmt::scan(good.substr(0, good.size() - 1));
        REQUIRE(scan.bad);
        CHECK(scan.bad->damage == fmt::Damage::short_payload);
        CHECK_FALSE(scan.bad->valid_record_after);
    }
}
