// The feed speaks RFC 6455 itself, so these tests talk to it in raw bytes, as
// the least forgiving client would: the handshake and its refusals, pings
// answered with pongs, a fragmented client message with a ping between its
// pieces, the close handshake in both directions, and protocol errors closed
// with 1002. A healthy subscriber receives every event throughout.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/feed/feed_fixture.hpp"
#include "tests/support/client_frame.hpp"
#include "tests/support/http_client.hpp"

using namespace declared::testing;

namespace {

struct Frame {
    bool fin = false;
    int opcode = -1;  // -1: none (closed or timed out)
    std::string payload;
    int close_code() const {
        return payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]) : 0;
    }
};

// A WebSocket client in raw bytes on one loopback connection.
class RawClient {
public:
    explicit RawClient(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (!connect_loopback(fd_, port)) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~RawClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool send(std::string_view bytes) {
        return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    // The response head to an upgrade request (up to the blank line).
    std::string head(std::chrono::milliseconds timeout = 5s) {
        while (in_.find("\r\n\r\n") == std::string::npos)
            if (!fill(timeout)) return {};
        auto end = in_.find("\r\n\r\n") + 4;
        auto h = in_.substr(0, end);
        in_.erase(0, end);
        return h;
    }
    // The next server frame; opcode -1 when the connection ended or nothing came in time.
    Frame frame(std::chrono::milliseconds timeout = 5s) {
        Frame f;
        while (in_.size() < 2)
            if (!fill(timeout)) return f;
        const auto b0 = static_cast<unsigned char>(in_[0]), b1 = static_cast<unsigned char>(in_[1]);
        REQUIRE((b1 & 0x80) == 0);  // server frames are never masked
        std::size_t len = b1 & 0x7F, at = 2;
        const std::size_t extra = len == 126 ? 2 : len == 127 ? 8 : 0;
        while (in_.size() < 2 + extra)
            if (!fill(timeout)) return f;
        if (extra) {
            len = 0;
            for (std::size_t i = 0; i < extra; ++i) len = (len << 8) | static_cast<unsigned char>(in_[2 + i]);
            at += extra;
        }
        while (in_.size() < at + len)
            if (!fill(timeout)) return f;
        f.fin = b0 & 0x80;
        f.opcode = b0 & 0x0F;
        f.payload = in_.substr(at, len);
        in_.erase(0, at + len);
        return f;
    }
    // The next frame that is not a heartbeat.
    Frame next(std::chrono::milliseconds timeout = 5s) {
        for (;;) {
            auto f = frame(timeout);
            if (f.opcode != 1 || f.payload.find(R"("type":"heartbeat")") == std::string::npos) return f;
        }
    }
    // The next control frame, skipping events and heartbeats.
    Frame control(std::chrono::milliseconds timeout = 5s) {
        for (;;) {
            auto f = frame(timeout);
            if (f.opcode != 1) return f;
        }
    }
    // True when the server closed the TCP connection within timeout.
    bool closed(std::chrono::milliseconds timeout = 5s) {
        while (fill(timeout)) in_.clear();
        return eof_;
    }

private:
    bool fill(std::chrono::milliseconds timeout) {
        if (fd_ < 0 || eof_) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
        char buf[65536];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        in_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool eof_ = false;
    std::string in_;
};

// Connects, upgrades and reads the hello; REQUIREs each step.
void open(RawClient& c, const std::string& target) {
    REQUIRE(c.send(upgrade_request(target)));
    auto head = c.head();
    INFO(head);
    REQUIRE(head.starts_with("HTTP/1.1 101"));
    // RFC 6455 1.3's example key and its answer.
    REQUIRE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);
    auto hello = c.frame();
    REQUIRE(hello.opcode == 1);
    REQUIRE(hello.fin);
    REQUIRE(jstr(parse_json(hello.payload), "type") == "hello");
}

}  // namespace

TEST_CASE("feed protocol: handshake, ping and pong, fragments, the close handshake and protocol errors in raw bytes", "[feed]") {
    Daemon d(multi_card(3, 4), {"--feed.heartbeat_ms", "300"});
    REQUIRE(d.start());
    const int port = d.port();
    Subscriber healthy;
    REQUIRE(healthy.connect(port, "?since=0"));
    int ward = 0;
    auto push_next = [&] {
        push(d, {decl(ward % 3, ward / 3)});
        ++ward;
    };
    push_next();

    SECTION("a handshake the server cannot answer is refused over HTTP, saying why") {
        {
            Connection c(port, 5s);
            REQUIRE(c.send(upgrade_request("/v1/feed", {{"Sec-WebSocket-Version", "8"}})));
            auto r = c.read_response();
            CHECK(r.status == 426);
            CHECK(r.header("sec-websocket-version") == "13");
            CHECK(jstr(parse_json(r.body), "error.code") == "bad_handshake");
        }
        for (const std::string key : {"", "short==", "dGhlIHNhbXBsZSBub25jZQ"}) {
            INFO("key '" << key << "'");
            Connection c(port, 5s);
            REQUIRE(c.send(upgrade_request("/v1/feed", {{"Sec-WebSocket-Key", key}})));
            auto r = c.read_response();
            CHECK(r.status == 400);
            CHECK(jstr(parse_json(r.body), "error.message").find("Sec-WebSocket-Key") != std::string::npos);
        }
    }

    SECTION("a ping is answered with a pong carrying its payload, before and after events") {
        RawClient c(port);
        open(c, "/v1/feed?since=0");
        auto events = c.next();
        REQUIRE(events.opcode == 1);
        CHECK(events.payload.find(R"("seq":1)") != std::string::npos);
        REQUIRE(c.send(client_frame(0x9, "are you there")));
        auto pong = c.next();
        CHECK(pong.opcode == 0xA);
        CHECK(pong.payload == "are you there");
        push_next();
        auto live = c.next();
        CHECK(live.opcode == 1);
        CHECK(live.payload.find(R"("type":"ward_declared")") != std::string::npos);
        REQUIRE(c.send(client_frame(0x9, "")));
        auto empty = c.next();
        CHECK(empty.opcode == 0xA);
        CHECK(empty.payload.empty());
    }

    SECTION("a fragmented text message with a ping between its pieces is accepted and ignored") {
        RawClient c(port);
        open(c, "/v1/feed?since=0");
        REQUIRE(c.next().opcode == 1);
        REQUIRE(c.send(client_frame(0x1, "hello, ", false) + client_frame(0x9, "mid")));
        auto pong = c.next();
        CHECK(pong.opcode == 0xA);
        CHECK(pong.payload == "mid");
        REQUIRE(c.send(raw_frame(kFin | 0x0, 5, "there")));
        push_next();
        auto live = c.next();
        CHECK(live.opcode == 1);  // still subscribed: an event, not a close
    }

    SECTION("a client's close is echoed and the server ends the connection") {
        RawClient c(port);
        open(c, "/v1/feed");
        REQUIRE(c.next().opcode == 1);  // the snapshot
        REQUIRE(c.send(client_close(1000, "done for tonight")));
        auto close = c.next();
        CHECK(close.opcode == 0x8);
        CHECK(close.close_code() == 1000);
        CHECK(c.closed());
    }

    SECTION("protocol errors are closed with 1002 and the reason") {
        struct Case {
            std::string name, bytes, says;
        };
        const std::vector<Case> cases{
            {"unmasked", raw_frame(kFin | 0x1, 2, "hi", false), "masked"},
            {"reserved bits", raw_frame(kFin | 0x40 | 0x1, 2, "hi"), "reserved"},
            {"unknown opcode", raw_frame(kFin | 0x3, 0), "opcode"},
            {"fragmented ping", raw_frame(0x9, 1, "x"), "control"},
            {"continuation with nothing to continue", raw_frame(kFin | 0x0, 1, "x"), "continuation"},
            {"a one-byte close", client_frame(0x8, "x"), "close"},
        };
        for (const auto& k : cases) {
            INFO(k.name);
            RawClient c(port);
            open(c, "/v1/feed?since=0");
            REQUIRE(c.send(k.bytes));
            auto close = c.control();
            REQUIRE(close.opcode == 0x8);
            CHECK(close.close_code() == 1002);
            CHECK(close.payload.find(k.says) != std::string::npos);
            // The client answers; the server then closes.
            REQUIRE(c.send(client_close(1002)));
            CHECK(c.closed());
        }
    }

    SECTION("a client that never answers a server close is cut off within seconds") {
        RawClient c(port);
        open(c, "/v1/feed?since=0");
        REQUIRE(metric(d, "declared_feed_subscribers") == 2);
        REQUIRE(c.send(raw_frame(kFin | 0x2, 3, "abc")));
        auto close = c.control();
        REQUIRE(close.opcode == 0x8);
        CHECK(close.close_code() == 1003);
        // The slot is free at once; the connection itself waits for the
        // client's answer, and without one the server ends it in seconds:
        // from then on what the client sends is refused (reset).
        CHECK(metric(d, "declared_feed_subscribers") == 1);
        const auto t0 = Clock::now();
        bool reset = false;
        while (!reset && Clock::now() - t0 < 10s) {
            std::this_thread::sleep_for(250ms);
            reset = !c.send("x");
        }
        CHECK(reset);
        CHECK(Clock::now() - t0 > 3s);
        CHECK(Clock::now() - t0 < 8s);
    }

    push_next();
    REQUIRE(healthy.until(d.last_seq()));
    CHECK(healthy.problems.empty());
}
