// Journal damage through the real daemon: a torn last record (cut at every
// byte offset) is truncated with a warning and everything before it served; a
// flipped byte in a middle record refuses to start, naming the offset and
// --repair-journal; with --repair-journal the valid prefix is served.
#include <cstdint>
#include <cstring>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

// Record start offsets of a journal image (docs/journal.md: a 16-byte header,
// then length:u32 crc:u32 payload per record, little-endian).
std::vector<std::size_t> record_offsets(const std::string& image) {
    std::vector<std::size_t> out;
    REQUIRE(image.size() >= 16);
    REQUIRE(image.substr(0, 8) == "DECLJRNL");
    std::size_t pos = 16;
    while (pos + 8 <= image.size()) {
        std::uint32_t len = 0;
        std::memcpy(&len, image.data() + pos, 4);  // little-endian host
        out.push_back(pos);
        pos += 8 + len;
    }
    REQUIRE(pos == image.size());
    return out;
}

// The events of /v1/events?since=0 up to and including seq `upto`.
std::string events_upto(const std::vector<std::string>& all, std::size_t upto) {
    std::string s;
    for (std::size_t i = 0; i < upto; ++i) s += all[i] + "\n";
    return s;
}
std::string joined(const std::vector<std::string>& events) { return events_upto(events, events.size()); }

struct Recorded {
    std::string image;                  // the journal file
    std::vector<std::size_t> offsets;   // record starts
    std::vector<std::uint64_t> seq_after;  // last seq after record k (index 0: before any record)
    std::vector<std::string> events;    // every event, canonical
};

// Four declarations, four POSTs: four records.
Recorded record_journal(Daemon& d) {
    Recorded r;
    REQUIRE(d.start());
    r.seq_after.push_back(d.last_seq());
    for (const auto& body : {brook(1, 700, 650), abbey(1), mayor(1), brook(2, 600, 800)}) {
        auto res = d.post(body, "application/json");
        REQUIRE(res.status == 200);
        r.seq_after.push_back(d.last_seq());
    }
    r.events = d.all_events();
    auto st = d.process.terminate();
    REQUIRE(st.code == 0);
    r.image = read_whole_file(d.journal_path);
    r.offsets = record_offsets(r.image);
    REQUIRE(r.offsets.size() == 4);
    REQUIRE(r.events.size() == r.seq_after.back());
    return r;
}

}  // namespace

TEST_CASE("journal damage: a torn last record, cut at every byte, is truncated and the rest served") {
    Daemon d{std::string(kSmallCard)};
    const Recorded rec = record_journal(d);
    const std::size_t last = rec.offsets.back();
    const std::string before_last = events_upto(rec.events, rec.seq_after[3]);
    std::size_t starts = 0;
    for (std::size_t cut = last; cut < rec.image.size(); ++cut) {
        INFO("journal cut at byte " << cut << " (last record at " << last << ", file " << rec.image.size() << " bytes)");
        write_whole_file(d.journal_path, rec.image.substr(0, cut));
        REQUIRE(d.start());
        ++starts;
        const std::string log = d.process.log();
        if (cut == last) {
            CHECK(log.find("journal_torn_tail") == std::string::npos);
            CHECK(log.find("truncated the journal") == std::string::npos);
        } else {
            // The warning names the file, the offset and what was done.
            CHECK(log.find(fmt::format("{}:{}: expected a complete last record", d.journal_path, last)) != std::string::npos);
            CHECK(log.find(fmt::format("truncated the journal to byte {} ({} byte", last, cut - last)) != std::string::npos);
            CHECK(log.find("warn") != std::string::npos);
        }
        CHECK(log.find("3 declarations replayed") != std::string::npos);
        CHECK(joined(d.all_events()) == before_last);
        CHECK(d.journal_size() == static_cast<long long>(last));  // the torn bytes are gone
        d.process.kill9();
    }
    CHECK(starts == rec.image.size() - last);

    // The truncated journal takes new appends after the cut: the same
    // declaration again gives the same events as before (but for the time received).
    REQUIRE(d.start());
    REQUIRE(d.post(brook(2, 600, 800), "application/json").status == 200);
    auto again = d.all_events();
    REQUIRE(again.size() == rec.events.size());
    CHECK(events_upto(again, rec.seq_after[3]) == before_last);
    auto without_time = [](const std::string& e) {
        auto v = parse_json(e);
        v.as_object()["received_at"] = nullptr;
        return boost::json::serialize(v);
    };
    for (std::size_t i = rec.seq_after[3]; i < again.size(); ++i) CHECK(without_time(again[i]) == without_time(rec.events[i]));
    d.process.kill9();
    CHECK(record_offsets(read_whole_file(d.journal_path)).size() == 4);
}

TEST_CASE("journal damage: a flipped byte in a middle record refuses to start, and --repair-journal keeps the prefix") {
    Daemon d{std::string(kSmallCard)};
    const Recorded rec = record_journal(d);
    const std::size_t middle = rec.offsets[1];  // record #2 of 4
    const std::size_t payload_len = rec.offsets[2] - middle - 8;

    struct Flip {
        const char* what;
        std::size_t at;
    };
    for (Flip flip : {Flip{"a payload byte", middle + 8 + payload_len / 2}, Flip{"the CRC", middle + 5},
                      Flip{"the length", middle + 1}}) {
        INFO("flipped " << flip.what << " at byte " << flip.at << "; record #2 starts at " << middle);
        std::string damaged = rec.image;
        damaged[flip.at] = static_cast<char>(damaged[flip.at] ^ 0x5A);
        write_whole_file(d.journal_path, damaged);

        d.process.spawn(kDeclaredBinary, d.args(), d.log_path);
        auto st = d.process.wait(15s);
        REQUIRE(st.has_value());
        CHECK(st->exited());
        CHECK(st->code != 0);
        const std::string log = d.process.log();
        CHECK(log.find(fmt::format("{}:{}:", d.journal_path, middle)) != std::string::npos);
        CHECK(log.find("--repair-journal") != std::string::npos);
        CHECK(log.find("listening on") == std::string::npos);
        CHECK(read_whole_file(d.journal_path) == damaged);  // refused without touching the file

        // With --repair-journal: starts, serves the first record's events only.
        auto args = d.args();
        args.push_back("--repair-journal");
        REQUIRE(d.process.start(kDeclaredBinary, args, d.log_path));
        const std::string repaired_log = d.process.log();
        CHECK(repaired_log.find("--repair-journal dropped") != std::string::npos);
        CHECK(repaired_log.find(fmt::format("from byte {}", middle)) != std::string::npos);
        CHECK(joined(d.all_events()) == events_upto(rec.events, rec.seq_after[1]));
        CHECK(d.journal_size() == static_cast<long long>(middle));
        auto ward = d.get(std::string("/v1/councils/") + kTesthamCouncil).body;
        CHECK(jstr(ward, "wards_declared") == "1");
        CHECK(d.process.terminate().code == 0);

        // A plain restart after the repair needs no flag.
        REQUIRE(d.start());
        CHECK(joined(d.all_events()) == events_upto(rec.events, rec.seq_after[1]));
        d.process.kill9();
    }
}
