// Cross-origin access (web.allow_origins) and embedding (web.frame_ancestors):
// REST answers, preflights, the event stream and the WebSocket feed's Origin
// check, against the real daemon; and bad web.* options refused at start.
#include "tests/feed/sse_fixture.hpp"

using namespace declared::testing;

namespace {

constexpr const char* kNews = "https://news.example";
constexpr const char* kEvil = "https://evil.example";

HttpResponse preflight(int port, const std::string& target, const std::string& origin, const std::string& method = "GET") {
    return request(port, "OPTIONS", target,
                   {{"Origin", origin}, {"Access-Control-Request-Method", method},
                    {"Access-Control-Request-Headers", "authorization,content-type"}});
}

// The status of a WebSocket upgrade of /v1/feed with these extra headers.
int upgrade_status(int port, const std::vector<std::pair<std::string, std::string>>& headers, std::string* body = nullptr) {
    Connection c(port);
    REQUIRE(c.connected());
    REQUIRE(c.send(upgrade_request("/v1/feed?since=0", headers)));
    auto r = c.read_response();
    if (body) *body = r.body;
    return r.status;
}

}  // namespace

TEST_CASE("cors: with no web.allow_origins no answer carries Access-Control-Allow-Origin, preflights are refused 403, and the feed takes any Origin", "[cors]") {
    Daemon d(multi_card(2, 2));
    REQUIRE(d.start());
    auto r = request(d.port(), "GET", "/v1/scoreboard", {{"Origin", kNews}});
    CHECK(r.status == 200);
    CHECK(r.header("access-control-allow-origin").empty());
    CHECK(r.header("vary").empty());
    auto p = preflight(d.port(), "/v1/councils", kNews);
    CHECK(p.status == 403);
    CHECK(jstr(p.body, "error.code") == "origin_not_allowed");
    CHECK(jstr(p.body, "error.message") == "this daemon allows no cross-origin requests (web.allow_origins is empty)");
    CHECK(p.header("access-control-allow-origin").empty());
    // OPTIONS that is not a preflight (no Origin): what the resource allows.
    auto o = request(d.port(), "OPTIONS", "/v1/declarations");
    CHECK(o.status == 204);
    CHECK(o.header("allow") == "POST, OPTIONS");
    CHECK(upgrade_status(d.port(), {{"Origin", kEvil}}) == 101);
}

TEST_CASE("cors: configured origins get Access-Control-Allow-Origin on REST and the event stream, preflights answered 204, others refused", "[cors]") {
    Daemon d(multi_card(2, 2), {"--web.allow_origins", std::string(kNews) + ", http://localhost:3000"});
    REQUIRE(d.start());
    push(d, {decl(0, 0)});
    for (const std::string target : {"/v1/scoreboard", "/v1/councils", "/v1/events?since=0", "/v1/export/councils.csv",
                                     "/v1/nothing"}) {
        INFO(target);
        auto ok = request(d.port(), "GET", target, {{"Origin", kNews}});
        CHECK(ok.status == (target == "/v1/nothing" ? 404 : 200));
        CHECK(ok.header("access-control-allow-origin") == kNews);
        CHECK(ok.header("vary") == "Origin");
        auto other = request(d.port(), "GET", target, {{"Origin", kEvil}});
        CHECK(other.header("access-control-allow-origin").empty());
        CHECK(other.header("vary") == "Origin");
    }
    auto local = request(d.port(), "GET", "/v1/scoreboard", {{"Origin", "http://localhost:3000"}});
    CHECK(local.header("access-control-allow-origin") == "http://localhost:3000");

    auto p = preflight(d.port(), "/v1/events/stream", kNews);
    CHECK(p.status == 204);
    CHECK(p.header("access-control-allow-origin") == kNews);
    CHECK(p.header("access-control-allow-methods") == "GET, HEAD, OPTIONS");
    CHECK(p.header("access-control-allow-headers") == "Authorization, Content-Type, Last-Event-ID");
    CHECK(p.header("access-control-max-age") == "600");
    auto pp = preflight(d.port(), "/v1/declarations", kNews, "POST");
    CHECK(pp.status == 204);
    CHECK(pp.header("access-control-allow-methods") == "POST, OPTIONS");
    auto pf = preflight(d.port(), "/v1/feed", kNews);
    CHECK(pf.status == 204);
    auto bad = preflight(d.port(), "/v1/councils", kEvil);
    CHECK(bad.status == 403);
    CHECK(jstr(bad.body, "error.code") == "origin_not_allowed");
    CHECK(jstr(bad.body, "error.message") == "the origin 'https://evil.example' is not in this daemon's web.allow_origins");
    CHECK(bad.header("access-control-allow-origin").empty());

    SseSubscriber s;
    REQUIRE(s.connect(d.port(), "?since=0", {{"Origin", kNews}}));
    CHECK(s.sse.header("access-control-allow-origin") == kNews);
    REQUIRE(s.until(d.last_seq()));
    CHECK(!s.events.empty());
    SseSubscriber elsewhere;
    REQUIRE(elsewhere.connect(d.port(), "?since=0", {{"Origin", kEvil}}));
    CHECK(elsewhere.sse.header("access-control-allow-origin").empty());  // the browser refuses it
    // A refusal of the stream is readable by an allowed page.
    SseClient refused;
    REQUIRE(!refused.connect(d.port(), "/v1/events/stream?since=x", {{"Origin", kNews}}));
    CHECK(refused.status() == 400);
    CHECK(refused.header("access-control-allow-origin") == kNews);
}

TEST_CASE("cors: with web.allow_origins set the feed refuses an upgrade from another origin, and takes allowed, same-origin and Origin-less ones", "[cors]") {
    Daemon d(multi_card(2, 2), {"--web.allow_origins", kNews});
    REQUIRE(d.start());
    std::string body;
    CHECK(upgrade_status(d.port(), {{"Origin", kEvil}}, &body) == 403);
    CHECK(jstr(body, "error.code") == "origin_not_allowed");
    CHECK(jstr(body, "error.message") == "the origin 'https://evil.example' is not in this daemon's web.allow_origins");
    CHECK(upgrade_status(d.port(), {{"Origin", kNews}}) == 101);
    CHECK(upgrade_status(d.port(), {}) == 101);  // not a browser: tail, scripts
    // The daemon's own page: its Origin is the Host the request names (the
    // test client sends "Host: 127.0.0.1").
    CHECK(upgrade_status(d.port(), {{"Origin", "http://127.0.0.1"}}) == 101);
    CHECK(upgrade_status(d.port(), {{"Origin", "http://127.0.0.1:1"}}) == 403);
}

TEST_CASE("cors: the page may be framed only where web.frame_ancestors says ('none' by default)", "[cors]") {
    auto csp_of = [](const Daemon& d) { return d.get("/").header("content-security-policy"); };
    Daemon plain(multi_card(1, 1));
    REQUIRE(plain.start());
    CHECK(csp_of(plain).ends_with("; frame-ancestors 'none'"));
    Daemon embeddable(multi_card(1, 1), {"--web.frame_ancestors", "'self' https://news.example https://*.example.org"});
    REQUIRE(embeddable.start());
    CHECK(csp_of(embeddable).ends_with("; frame-ancestors 'self' https://news.example https://*.example.org"));
}

TEST_CASE("cors: bad web.allow_origins and web.frame_ancestors values stop the daemon at start with the option, what it expects and what it got", "[cors]") {
    struct Case {
        std::vector<std::string> args;
        std::string message_part;
    };
    const std::vector<Case> cases{
        {{"--web.allow_origins", "news.example"}, "--web.allow_origins: expected origins as browsers send them"},
        {{"--web.allow_origins", "https://news.example/"}, "an origin has no path (not even a trailing /)"},
        {{"--web.allow_origins", "https://News.example"}, "browsers send the host in lower case"},
        {{"--web.allow_origins", "https://news.example:80x"}, "the port must be a number"},
        {{"--web.frame_ancestors", "'self'; script-src *"}, "--web.frame_ancestors: expected a CSP frame-ancestors source list"},
        {{"--web.frame_ancestors", "'none' https://news.example"}, "'none' cannot be combined with other sources"},
        {{"--web.frame_ancestors", "self"}, "self needs its quotes: 'self'"},
        {{"--web.frame_ancestors", ""}, "it is empty; say 'none' for no embedding"},
    };
    for (const auto& c : cases) {
        INFO(c.args[1]);
        Daemon d(multi_card(1, 1), c.args);
        d.process.spawn(kDeclaredBinary, d.args(), d.log_path);
        auto status = d.process.wait(10s);
        REQUIRE(status);
        CHECK(status->code == 2);
        CHECK(d.process.log().find(c.message_part) != std::string::npos);
        CHECK(file_size_or_minus1(d.journal_path) == -1);  // nothing changed: no journal created
    }
}
