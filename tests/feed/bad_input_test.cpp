// Bad input on the feed: malformed query values, unknown filter names and
// councils, missing or wrong tokens, a plain GET, oversized and binary client
// frames, clients that never finish their request, and one subscriber too
// many. Each is refused clearly (a JSON error over plain HTTP before the
// upgrade, or a close code after it), and a healthy subscriber connected
// throughout receives every event, seq by seq.
#include <thread>

#include "tests/feed/feed_fixture.hpp"

using namespace declared::testing;

namespace {

constexpr const char* kFeedToken = "feed-t0ken";

struct Refusal {
    int status = 0;
    std::string code, message;
    bool closed = false;  // the server closed the connection after answering
};
Refusal refuse(int port, const std::string& target, const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    Connection c(port, 5s);
    REQUIRE(c.connected());
    REQUIRE(c.send(upgrade_request(target, extra)));
    auto r = c.read_response();
    Refusal out{r.status, jstr(r.body, "error.code"), jstr(r.body, "error.message"), false};
    if (r.status != 101) out.closed = c.wait_closed(3s);
    return out;
}

const std::vector<std::pair<std::string, std::string>> kAuth{{"Authorization", std::string("Bearer ") + kFeedToken}};

}  // namespace

TEST_CASE("feed bad input: each refused clearly, and a healthy subscriber keeps receiving everything", "[feed]") {
    Daemon d(multi_card(6, 5), {"--read-token", kFeedToken, "--feed.max_subscribers", "2", "--feed.heartbeat_ms",
                                "200", "--limits.request_timeout_ms", "500"});
    d.read_token = kFeedToken;
    REQUIRE(d.start());
    const int port = d.port();
    Subscriber healthy;
    REQUIRE(healthy.connect(port, "?since=0", kAuth));
    int ward = 0;
    auto push_next = [&] {  // one more declaration, so the healthy subscriber has something new
        push(d, {decl(ward % 6, ward / 6)});
        ++ward;
    };
    push_next();

    SECTION("refused over plain HTTP before the upgrade") {
        struct Case {
            std::string target;
            int status;
            std::string code, says;
            std::vector<std::pair<std::string, std::string>> headers = kAuth;
        };
        const std::vector<Case> cases{
            {"/v1/feed?since=abc", 400, "bad_query", "since must be a non-negative integer"},
            {"/v1/feed?since=-1", 400, "bad_query", "'-1'"},
            {"/v1/feed?since=", 400, "bad_query", "since"},
            {"/v1/feed?since=12x", 400, "bad_query", "'12x'"},
            {"/v1/feed?since=1e3", 400, "bad_query", "since"},
            {"/v1/feed?since=99999999999999999999999", 400, "bad_query", "since"},
            {"/v1/feed?foo=bar", 400, "bad_query", "unknown parameter 'foo'"},
            {"/v1/feed?since=0&Since=1", 400, "bad_query", "'Since'"},
            {"/v1/feed?types=nope", 400, "bad_filter", "nope"},
            {"/v1/feed?types=control_called,nope", 400, "bad_filter", "nope"},
            {"/v1/feed?councils=local.nowhere.2022-05-05", 400, "bad_filter", "local.nowhere.2022-05-05"},
            {"/v1/feed?councils=" + council_id(0) + ",local.nowhere.2022-05-05", 400, "bad_filter", "nowhere"},
            {"/v1/feedx", 404, "no_route", "/v1/feed"},
            {"/v1/feed?since=0", 401, "no_token", "token", {}},
            {"/v1/feed?since=0", 401, "bad_authorization", "Bearer", {{"Authorization", "Basic Zm9vOmJhcg=="}}},
            {"/v1/feed?since=0", 403, "bad_token", "token", {{"Authorization", "Bearer wrong"}}},
            {"/v1/feed?since=0&token=wrong", 403, "bad_token", "token", {}},
            {std::string("/v1/feed?since=0&token=") + kFeedToken + "x", 403, "bad_token", "token", {}},
        };
        for (const auto& c : cases) {
            INFO(c.target);
            auto r = refuse(port, c.target, c.headers);
            CHECK(r.status == c.status);
            CHECK(r.code == c.code);
            CHECK(r.message.find(c.says) != std::string::npos);
            CHECK(r.closed);
        }
        // A plain GET (no Upgrade) is told to upgrade.
        auto plain = request(port, "GET", "/v1/feed?since=0", kAuth);
        CHECK(plain.status == 426);
        CHECK(jstr(plain.body, "error.code") == "upgrade_required");
        CHECK(plain.header("upgrade") == "websocket");
        // The token is accepted in the query too.
        Subscriber by_query;
        REQUIRE(by_query.connect(port, std::string("?token=") + kFeedToken));
        REQUIRE(by_query.until(d.last_seq()));
        CHECK(by_query.problems.empty());
    }

    SECTION("oversized and binary client frames close the connection with 1009 and 1003") {
        {
            Subscriber s;
            REQUIRE(s.connect(port, "", kAuth));
            REQUIRE(s.until(d.last_seq()));
            // 1024 bytes is the limit: accepted, ignored.
            REQUIRE(s.ws.send(std::string(1024, 'a')));
            REQUIRE(s.step(3s));  // a heartbeat, not a close
            CHECK(!s.end);
            REQUIRE(s.ws.send(std::string(1025, 'a')));
            REQUIRE(s.until_end(5s));
            CHECK(s.close_code() == 1009);
        }
        {
            Subscriber s;
            REQUIRE(s.connect(port, "", kAuth));
            REQUIRE(s.until(d.last_seq()));
            REQUIRE(s.ws.send("\x01\x02\x03", true));
            REQUIRE(s.until_end(5s));
            CHECK(s.close_code() == 1003);
            CHECK(s.close_reason().find("binary") != std::string::npos);
        }
        push_next();
    }

    SECTION("a client that never completes its request is closed within the request timeout") {
        // Nothing at all; half an upgrade request; a request line with no end.
        Connection silent(port, 5s), partial(port, 5s), crawling(port, 5s);
        REQUIRE(silent.connected());
        REQUIRE(partial.send("GET /v1/feed?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"));
        REQUIRE(crawling.send("GET /v1/fe"));
        const auto t0 = Clock::now();
        push_next();  // others are served meanwhile
        REQUIRE(healthy.until(d.last_seq()));
        auto r = partial.read_response();
        CHECK(r.status == 408);
        CHECK(jstr(r.body, "error.code") == "request_timeout");
        CHECK(partial.wait_closed(3s));
        CHECK(silent.wait_closed(3s));
        CHECK(crawling.read_response().status == 408);
        CHECK(crawling.wait_closed(3s));
        CHECK(Clock::now() - t0 < 3s);
    }

    SECTION("one subscriber too many is refused with 503, and admitted once a slot is free") {
        auto second = std::make_unique<Subscriber>();
        REQUIRE(second->connect(port, "", kAuth));
        REQUIRE(second->until(d.last_seq()));
        auto r = refuse(port, "/v1/feed", kAuth);
        CHECK(r.status == 503);
        CHECK(r.code == "too_many_subscribers");
        CHECK(r.closed);
        Subscriber third;
        CHECK(!third.connect(port, "", kAuth));
        CHECK(third.ws.handshake_status() == 503);
        CHECK(metric(d, "declared_feed_refused_total") >= 2);
        // The refused ones did not count; closing one frees its slot.
        REQUIRE(second->ws.close());
        second.reset();
        const auto deadline = Clock::now() + 5s;
        while (metric(d, "declared_feed_subscribers") != 1 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
        Subscriber fourth;
        REQUIRE(fourth.connect(port, "", kAuth));
        REQUIRE(fourth.until(d.last_seq()));
        CHECK(fourth.problems.empty());
        push_next();
    }

    // Whatever happened above, the healthy subscriber has every event, in order.
    push_next();
    auto ref = reference_events(d);
    REQUIRE(healthy.until(ref.last_seq));
    INFO(healthy.problems_text());
    CHECK(healthy.problems.empty());
    CHECK(!healthy.end);
    REQUIRE(gap_or_repeat(healthy.events, 1) == "");
    REQUIRE(first_difference(healthy.events, ref.events) == "");
}
