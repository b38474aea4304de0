// RFC 6455 framing with no I/O: server frame headers, close payloads, the
// accept key, and FrameReader fed client frames in one go, a byte at a time,
// and split at every position.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "feed/ws_frame.hpp"
#include "tests/support/client_frame.hpp"

namespace ws = declared::feed::ws;
using declared::testing::kFin;
using declared::testing::client_close;
using declared::testing::client_frame;
using declared::testing::raw_frame;
using Kind = ws::FrameReader::Result::Kind;

namespace {

std::uint8_t op(ws::Opcode o) { return static_cast<std::uint8_t>(o); }

std::string masked(ws::Opcode o, std::string_view payload, bool fin = true) {
    return client_frame(op(o), payload, fin);
}

struct Got {
    Kind kind;
    std::uint16_t code;
    std::string payload;
    bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
    return os << "{kind " << static_cast<int>(g.kind) << ", code " << g.code << ", \"" << g.payload << "\"}";
}

// Feeds bytes in reads of `step` bytes (the last maybe shorter), calling
// next() again on what is left after each answer, as a session would; stops
// at an error or close. Every `more` must have consumed the whole read.
std::vector<Got> feed(ws::FrameReader& reader, std::string bytes, std::size_t step) {
    std::vector<Got> got;
    for (std::size_t at = 0; at < bytes.size();) {
        std::span<char> read(bytes.data() + at, std::min(step, bytes.size() - at));
        for (;;) {
            std::size_t used = 99;
            auto r = reader.next(read, used);
            REQUIRE(used <= read.size());
            at += used;
            read = read.subspan(used);
            if (r.kind == Kind::more) {
                REQUIRE(read.empty());
                break;
            }
            got.push_back({r.kind, r.code, std::string(r.payload)});
            if (r.kind == Kind::error || r.kind == Kind::close) return got;
        }
    }
    return got;
}

// Feeds bytes in one go and expects exactly one answer: an error.
Got first_error(std::string bytes, std::size_t max_message = 1024) {
    ws::FrameReader reader(max_message);
    auto got = feed(reader, std::move(bytes), std::string::npos);
    REQUIRE(got.size() == 1);
    CHECK(got[0].kind == Kind::error);
    return got[0];
}

}  // namespace

TEST_CASE("frame_header uses the shortest length form", "[ws_frame]") {
    std::uint8_t out[ws::kMaxHeader];

    CHECK(ws::frame_header(ws::Opcode::text, 0, out) == 2);
    CHECK(out[0] == 0x81);
    CHECK(out[1] == 0);

    CHECK(ws::frame_header(ws::Opcode::text, 125, out) == 2);
    CHECK(out[1] == 125);

    CHECK(ws::frame_header(ws::Opcode::text, 126, out) == 4);
    CHECK(out[1] == 126);
    CHECK(out[2] == 0x00);
    CHECK(out[3] == 126);

    CHECK(ws::frame_header(ws::Opcode::text, 65535, out) == 4);
    CHECK(out[1] == 126);
    CHECK(out[2] == 0xFF);
    CHECK(out[3] == 0xFF);

    CHECK(ws::frame_header(ws::Opcode::text, 65536, out) == 10);
    CHECK(out[1] == 127);
    const std::uint8_t want[8] = {0, 0, 0, 0, 0, 1, 0, 0};
    CHECK(std::equal(want, want + 8, out + 2));

    CHECK(ws::frame_header(ws::Opcode::close, 2, out) == 2);
    CHECK(out[0] == 0x88);
    CHECK(ws::frame_header(ws::Opcode::pong, 0, out) == 2);
    CHECK(out[0] == 0x8A);
}

TEST_CASE("frame is the header then the payload", "[ws_frame]") {
    CHECK(ws::frame(ws::Opcode::pong, "hi") == std::string("\x8a\x02hi"));
    const std::string big(300, 'x');
    CHECK(ws::frame(ws::Opcode::text, big) == std::string("\x81\x7e\x01\x2c", 4) + big);
}

TEST_CASE("close_payload puts the code first and fits 125 bytes", "[ws_frame]") {
    CHECK(ws::close_payload(4008, "lagging") == std::string("\x0f\xa8lagging"));
    CHECK(ws::close_payload(1000, "") == std::string("\x03\xe8", 2));

    std::string long_ascii(200, 'a');
    auto p = ws::close_payload(1000, long_ascii);
    CHECK(p.size() == 125);
    CHECK(p.substr(2) == long_ascii.substr(0, 123));
}

TEST_CASE("close_payload never splits a UTF-8 sequence", "[ws_frame]") {
    // 123 bytes of reason fit. Each case puts a multibyte character across that line.
    SECTION("two-byte character across the limit") {
        std::string reason = std::string(122, 'a') + "\xc3\xa9" + "tail";  // é at 122..123
        auto p = ws::close_payload(1000, reason);
        CHECK(p.size() == 2 + 122);
        CHECK(p.substr(2) == std::string(122, 'a'));
    }
    SECTION("three-byte character across the limit") {
        std::string reason = std::string(121, 'a') + "\xe2\x82\xac" + "tail";  // € at 121..123
        auto p = ws::close_payload(1000, reason);
        CHECK(p.substr(2) == std::string(121, 'a'));
    }
    SECTION("four-byte character across the limit") {
        std::string reason = std::string(120, 'a') + "\xf0\x9f\x97\xb3" + "tail";  // at 120..123
        auto p = ws::close_payload(1000, reason);
        CHECK(p.substr(2) == std::string(120, 'a'));
    }
    SECTION("a character that ends exactly at the limit is kept") {
        std::string reason = std::string(120, 'a') + "\xe2\x82\xac" + "tail";  // € at 120..122
        auto p = ws::close_payload(1000, reason);
        CHECK(p.size() == 125);
        CHECK(p.substr(2) == std::string(120, 'a') + "\xe2\x82\xac");
    }
    SECTION("a short multibyte reason is untouched") {
        CHECK(ws::close_payload(1001, "Ynys Môn") == std::string("\x03\xe9") + "Ynys Môn");
    }
}

TEST_CASE("accept_key matches the RFC 6455 example", "[ws_frame]") {
    // RFC 6455 1.3 (and `openssl sha1 -binary | base64` agree).
    CHECK(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("text frames are consumed whole in one go or a byte at a time", "[ws_frame]") {
    for (std::size_t size : {0, 1, 125, 126, 1000, 65535, 65536}) {
        std::string text(size, 'x');
        std::string bytes = masked(ws::Opcode::text, text);
        INFO("payload " << size);

        ws::FrameReader whole(70000);
        std::string copy = bytes;
        std::size_t used = 0;
        auto r = whole.next(copy, used);
        CHECK(r.kind == Kind::more);
        CHECK(used == bytes.size());

        ws::FrameReader bytewise(70000);
        CHECK(feed(bytewise, bytes, 1).empty());
        // And the reader is ready for the next frame.
        CHECK(feed(bytewise, masked(ws::Opcode::ping, "after"), 1) == std::vector<Got>{{Kind::ping, 0, "after"}});
    }
}

TEST_CASE("a ping split across reads comes back whole and unmasked", "[ws_frame]") {
    const std::string bytes = masked(ws::Opcode::ping, "hello, world");
    ws::FrameReader reader(1024);
    std::size_t used = 0;

    std::string copy = bytes;  // next() unmasks in place
    std::span<char> all(copy);
    auto r = reader.next(all.subspan(0, 1), used);  // half of the header
    CHECK(r.kind == Kind::more);
    CHECK(used == 1);
    r = reader.next(all.subspan(1, 6), used);  // the rest of the header and one payload byte
    CHECK(r.kind == Kind::more);
    CHECK(used == 6);
    r = reader.next(all.subspan(7, 5), used);
    CHECK(r.kind == Kind::more);
    CHECK(used == 5);
    r = reader.next(all.subspan(12), used);
    CHECK(r.kind == Kind::ping);
    CHECK(used == bytes.size() - 12);
    CHECK(r.payload == "hello, world");

    // Every split point gives the same.
    for (std::size_t step = 1; step <= bytes.size(); ++step) {
        ws::FrameReader fresh(1024);
        INFO("step " << step);
        CHECK(feed(fresh, bytes, step) == std::vector<Got>{{Kind::ping, 0, "hello, world"}});
    }
}

TEST_CASE("two frames in one read are answered one at a time", "[ws_frame]") {
    std::string ping = masked(ws::Opcode::ping, "p");
    std::string close = client_close(1000, "bye");
    std::string bytes = ping + close;
    ws::FrameReader reader(1024);
    std::span<char> rest(bytes);
    std::size_t used = 0;

    auto r = reader.next(rest, used);
    CHECK(r.kind == Kind::ping);
    CHECK(r.payload == "p");
    CHECK(used == ping.size());
    rest = rest.subspan(used);

    r = reader.next(rest, used);
    CHECK(r.kind == Kind::close);
    CHECK(r.code == 1000);
    CHECK(r.payload == "bye");
    CHECK(used == close.size());

    SECTION("after a close the reader takes nothing and says close again") {
        std::string more = masked(ws::Opcode::ping, "late");
        r = reader.next(more, used);
        CHECK(r.kind == Kind::close);
        CHECK(r.code == 1000);
        CHECK(r.payload == "bye");
        CHECK(used == 0);
    }
}

TEST_CASE("pongs and empty control frames", "[ws_frame]") {
    std::string bytes = masked(ws::Opcode::pong, "") + masked(ws::Opcode::ping, "") + masked(ws::Opcode::pong, "pp");
    ws::FrameReader reader(1024);
    CHECK(feed(reader, bytes, bytes.size()) ==
          std::vector<Got>{{Kind::pong, 0, ""}, {Kind::ping, 0, ""}, {Kind::pong, 0, "pp"}});
}

TEST_CASE("close frames with no code and with codes allowed and not", "[ws_frame]") {
    SECTION("empty close means 1005") {
        ws::FrameReader reader(1024);
        CHECK(feed(reader, masked(ws::Opcode::close, ""), 1) == std::vector<Got>{{Kind::close, 1005, ""}});
    }
    SECTION("a one-byte close payload is a protocol error") {
        CHECK(first_error(masked(ws::Opcode::close, "\x03")).code == 1002);
    }
    SECTION("allowed codes") {
        for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4008, 4999}) {
            ws::FrameReader reader(1024);
            INFO("code " << code);
            CHECK(feed(reader, client_close(code, "why"), 3) == std::vector<Got>{{Kind::close, code, "why"}});
        }
    }
    SECTION("codes not allowed on the wire") {
        for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2000, 2999, 5000, 65535}) {
            INFO("code " << code);
            CHECK(first_error(client_close(code)).code == 1002);
        }
    }
}

TEST_CASE("protocol errors close with 1002", "[ws_frame]") {
    SECTION("reserved bits") {
        for (std::uint8_t rsv : {0x40, 0x20, 0x10}) {
            auto e = first_error(raw_frame(kFin | rsv | op(ws::Opcode::text), 2, "hi"));
            CHECK(e.code == 1002);
            CHECK(e.payload == "reserved bits set");
        }
    }
    SECTION("an unmasked frame, found from its first two bytes") {
        auto e = first_error(raw_frame(kFin | op(ws::Opcode::text), 2, "hi", false).substr(0, 2));
        CHECK(e.code == 1002);
        CHECK(e.payload == "client frames must be masked");
    }
    SECTION("unknown opcodes") {
        for (std::uint8_t opcode : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
            INFO("opcode " << int(opcode));
            CHECK(first_error(raw_frame(kFin | opcode, 0)).code == 1002);
        }
    }
    SECTION("a fragmented control frame") {
        CHECK(first_error(masked(ws::Opcode::ping, "p", false)).code == 1002);
        CHECK(first_error(masked(ws::Opcode::close, "", false)).code == 1002);
    }
    SECTION("a control frame over 125 bytes, found from its header") {
        CHECK(first_error(raw_frame(kFin | op(ws::Opcode::ping), 126)).code == 1002);
        CHECK(first_error(masked(ws::Opcode::pong, std::string(126, 'p'))).code == 1002);
        CHECK(first_error(raw_frame(kFin | op(ws::Opcode::close), 70000)).code == 1002);
    }
    SECTION("a 64-bit length with the top bit set") {
        CHECK(first_error(raw_frame(kFin | op(ws::Opcode::text), 0x8000000000000000ull),
                          std::numeric_limits<std::size_t>::max())
                  .code == 1002);
    }
    SECTION("a text frame inside a fragmented message") {
        CHECK(first_error(masked(ws::Opcode::text, "a", false) + masked(ws::Opcode::text, "b")).code == 1002);
    }
    SECTION("a continuation with no message in progress") {
        CHECK(first_error(masked(ws::Opcode::continuation, "b")).code == 1002);
        CHECK(first_error(masked(ws::Opcode::text, "a") + masked(ws::Opcode::continuation, "b")).code == 1002);
    }
}

TEST_CASE("binary frames close with 1003 as soon as the header is in", "[ws_frame]") {
    auto e = first_error(raw_frame(kFin | op(ws::Opcode::binary), 5000).substr(0, 2));
    CHECK(e.code == 1003);
    CHECK(e.payload.find("binary") != std::string::npos);
    CHECK(first_error(masked(ws::Opcode::binary, "x", false)).code == 1003);
}

TEST_CASE("after an error the reader takes nothing and says the same again", "[ws_frame]") {
    ws::FrameReader reader(1024);
    std::string bytes = masked(ws::Opcode::continuation, "x") + masked(ws::Opcode::ping, "p");
    std::size_t used = 99;
    auto r = reader.next(bytes, used);
    CHECK(r.kind == Kind::error);
    CHECK(used == 2);  // the two bytes that showed it
    std::string reason(r.payload);

    r = reader.next(std::span<char>(bytes).subspan(used), used);
    CHECK(r.kind == Kind::error);
    CHECK(r.code == 1002);
    CHECK(r.payload == reason);
    CHECK(used == 0);
}

TEST_CASE("max_message bounds a whole data message fragmented or not", "[ws_frame]") {
    constexpr std::size_t max = 1024;
    auto step = GENERATE(std::size_t{1}, std::size_t{7}, std::string::npos);
    INFO("step " << step);

    SECTION("exactly max_message in one frame is allowed") {
        ws::FrameReader reader(max);
        CHECK(feed(reader, masked(ws::Opcode::text, std::string(max, 'x')), step).empty());
    }
    SECTION("exactly max_message across fragments is allowed, and the next message starts from zero") {
        ws::FrameReader reader(max);
        std::string bytes = masked(ws::Opcode::text, std::string(500, 'x'), false) +
                            masked(ws::Opcode::continuation, std::string(500, 'x'), false) +
                            masked(ws::Opcode::continuation, std::string(24, 'x'));
        CHECK(feed(reader, bytes + bytes, step).empty());
    }
    SECTION("one over in one frame is refused from its header") {
        auto e = first_error(raw_frame(kFin | op(ws::Opcode::text), max + 1), max);
        CHECK(e.code == 1009);
        CHECK(e.payload == "message of 1025 bytes is over the 1024-byte limit");
    }
    SECTION("one over across fragments is refused from the last fragment's header") {
        ws::FrameReader reader(max);
        std::string bytes = masked(ws::Opcode::text, std::string(512, 'x'), false) +
                            raw_frame(op(ws::Opcode::continuation), 513);  // header only
        auto got = feed(reader, bytes, step);
        REQUIRE(got.size() == 1);
        CHECK(got[0].kind == Kind::error);
        CHECK(got[0].code == 1009);
        CHECK(got[0].payload == "message of 1025 bytes is over the 1024-byte limit");
    }
    SECTION("a huge 64-bit length is refused without overflow") {
        auto e = first_error(raw_frame(kFin | op(ws::Opcode::text), 0x7FFFFFFFFFFFFFFFull), max);
        CHECK(e.code == 1009);
    }
}

TEST_CASE("control frames may come between the fragments of a message", "[ws_frame]") {
    std::string bytes = masked(ws::Opcode::text, "part one, ", false) + masked(ws::Opcode::ping, "mid") +
                        masked(ws::Opcode::continuation, "part two, ", false) + masked(ws::Opcode::pong, "") +
                        masked(ws::Opcode::continuation, "end") + masked(ws::Opcode::text, "next") +
                        client_close(1001, "gone");
    const std::vector<Got> want{{Kind::ping, 0, "mid"}, {Kind::pong, 0, ""}, {Kind::close, 1001, "gone"}};
    for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{5}, bytes.size()}) {
        ws::FrameReader reader(1024);
        INFO("step " << step);
        CHECK(feed(reader, bytes, step) == want);
    }
}

TEST_CASE("a stream split at every position reads the same", "[ws_frame]") {
    std::string bytes = masked(ws::Opcode::text, std::string(300, 't'), false) + masked(ws::Opcode::ping, "ab") +
                        masked(ws::Opcode::continuation, std::string(70, 'c')) + masked(ws::Opcode::pong, "xyz") +
                        client_close(1000);
    const std::vector<Got> want{{Kind::ping, 0, "ab"}, {Kind::pong, 0, "xyz"}, {Kind::close, 1000, ""}};
    for (std::size_t split = 0; split <= bytes.size(); ++split) {
        INFO("split " << split);
        ws::FrameReader reader(1024);
        std::vector<Got> got;
        std::string copy = bytes;
        bool closed = false;
        for (std::span<char> read : {std::span<char>(copy).first(split), std::span<char>(copy).subspan(split)}) {
            while (!closed) {
                std::size_t used = 0;
                auto r = reader.next(read, used);
                read = read.subspan(used);
                if (r.kind == Kind::more) break;
                got.push_back({r.kind, r.code, std::string(r.payload)});
                closed = r.kind == Kind::close || r.kind == Kind::error;
            }
        }
        CHECK(got == want);
    }
}
