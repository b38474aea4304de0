// Access, route by route: ingest, read and metrics tokens are separate roles;
// with read tokens set every read route (REST, the feed) refuses without
// one; /metrics has its own token; a public night needs none; and a refused
// request is answered from its headers, before any of its body is read.
#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

const std::string kRead = "reader-token-1";
const std::string kMetrics = "metrics-token-1";

std::vector<std::pair<std::string, std::string>> bearer(const std::string& t) { return {{"Authorization", "Bearer " + t}}; }

std::string upgrade(const std::string& target, const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::pair<std::string, std::string>> h{{"Upgrade", "websocket"},
                                                       {"Connection", "Upgrade"},
                                                       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                                       {"Sec-WebSocket-Version", "13"}};
    h.insert(h.end(), extra.begin(), extra.end());
    return format_request("GET", target, h, {}, true);
}

// The status line's code of the first answer on a raw connection.
int raw_status(int port, const std::string& bytes) {
    Connection c(port, 10s);
    if (!c.send(bytes)) return -1;
    return c.read_response().status;
}

}  // namespace

TEST_CASE("access: with read and metrics tokens, every route refuses the wrong role and takes the right one", "[access]") {
    Daemon d{std::string(kSmallCard), {"--read-token", kRead, "--metrics-token", kMetrics}};
    REQUIRE(d.start());
    const int port = d.port();
    {
        // Seen once as a 503 under load and never reproduced: the body says which.
        const auto first = d.post(brook(1, 700, 650), "application/json");
        INFO(first.body);
        REQUIRE(first.status == 200);
    }

    struct Case {
        std::string target;
        std::vector<std::pair<std::string, std::string>> headers;
        int status;
        std::string code;
    };
    const std::vector<std::string> reads{"/v1/scoreboard", "/v1/councils", std::string("/v1/councils/") + kTesthamCouncil,
                                         "/v1/events?since=0&limit=5"};
    for (const auto& route : reads) {
        INFO(route);
        for (const Case& c : std::vector<Case>{{route, {}, 401, "no_token"},
                                               {route, bearer("wrong"), 403, "bad_token"},
                                               {route, bearer(kToken), 403, "bad_token"},    // an ingest token does not read
                                               {route, bearer(kMetrics), 403, "bad_token"},  // nor a metrics token
                                               {route, {{"Authorization", "Basic eDp5"}}, 401, "bad_authorization"},
                                               {route + (route.find('?') == std::string::npos ? "?" : "&") + "token=nope", {}, 403, "bad_token"}}) {
            INFO(c.target);
            auto r = request(port, "GET", c.target, c.headers);
            CHECK(r.status == c.status);
            CHECK(jstr(r.body, "error.code") == c.code);
        }
        CHECK(request(port, "GET", route, bearer(kRead)).status == 200);
        CHECK(request(port, "GET", route + (route.find('?') == std::string::npos ? "?" : "&") + "token=" + kRead).status == 200);
    }
    // The feed: refused on the upgrade's headers, taken with the read token.
    CHECK(raw_status(port, upgrade("/v1/feed?since=0", {})) == 401);
    CHECK(raw_status(port, upgrade("/v1/feed?since=0", bearer(kToken))) == 403);
    CHECK(raw_status(port, upgrade("/v1/feed?since=0", bearer(kRead))) == 101);
    CHECK(raw_status(port, upgrade("/v1/feed?since=0&token=" + kRead, {})) == 101);
    // /metrics: its own token only.
    CHECK(request(port, "GET", "/metrics").status == 401);
    CHECK(request(port, "GET", "/metrics", bearer(kRead)).status == 403);
    CHECK(request(port, "GET", "/metrics", bearer(kToken)).status == 403);
    CHECK(request(port, "GET", "/metrics", bearer(kMetrics)).status == 200);
    // Ingest: its own tokens only.
    CHECK(post_declarations(port, abbey(1), kRead, "application/json").status == 403);
    CHECK(post_declarations(port, abbey(1), kMetrics, "application/json").status == 403);
    CHECK(post_declarations(port, abbey(1), "", "application/json").status == 401);
    CHECK(post_declarations(port, abbey(1), kToken, "application/json").status == 200);
    // Open to anyone: health, readiness, the page's files.
    CHECK(request(port, "GET", "/healthz").status == 200);
    CHECK(request(port, "GET", "/readyz").status == 200);
    CHECK(request(port, "GET", "/").status == 200);
    CHECK(request(port, "GET", "/app.js").status == 200);
}

TEST_CASE("access: a public night answers every read with no token, and /metrics follows it", "[access]") {
    Daemon d{std::string(kSmallCard)};
    REQUIRE(d.start());
    for (const char* route : {"/v1/scoreboard", "/v1/councils", "/v1/events?since=0", "/metrics"}) {
        INFO(route);
        CHECK(d.get(route).status == 200);
    }
    CHECK(raw_status(d.port(), upgrade("/v1/feed?since=0", {})) == 101);
    // Ingest still needs its token.
    CHECK(post_declarations(d.port(), abbey(1), "", "application/json").status == 401);
}

TEST_CASE("access: a refused request is answered from its headers, before its body arrives", "[access]") {
    Daemon d{std::string(kSmallCard), {"--limits.max_body_bytes", "2000000", "--limits.request_timeout_ms", "8000"}};
    REQUIRE(d.start());
    for (const auto& auth : std::vector<std::string>{"", "Authorization: Bearer wrong\r\n"}) {
        INFO("authorization: '" << auth << "'");
        // Headers announce a 1 MB body; only 100 bytes of it are ever sent.
        Connection c(d.port(), 5s);
        REQUIRE(c.send("POST /v1/declarations HTTP/1.1\r\nHost: x\r\n" + auth +
                       "Content-Type: application/x-ndjson\r\nContent-Length: 1000000\r\n\r\n" + std::string(100, 'x')));
        const auto t0 = std::chrono::steady_clock::now();
        auto r = c.read_response();
        CHECK((r.status == 401 || r.status == 403));
        CHECK(std::chrono::steady_clock::now() - t0 < 4s);  // long before the 8 s request timeout
        CHECK(c.wait_closed(3s));
    }
    // The body is never read: a client that sends all of it still gets its answer.
    auto r = post_declarations(d.port(), std::string(1'500'000, ' ') + abbey(1), "wrong", "application/x-ndjson");
    CHECK(r.status == 403);
    CHECK(jstr(r.body, "error.code") == "bad_token");
}
