// The bad-input matrix: malformed, invalid and hostile input over HTTP and
// through the drop directory. Each case gets its precise status and error
// (code, and field path where there is one) and leaves the tally (scoreboard,
// last event seq) and the journal (its size) exactly as they were.
#include <thread>

#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

// brook(1, 700, 650) with one substring replaced (the case's damage).
std::string brook_with(const std::string& from, const std::string& to) {
    std::string s = brook(1, 700, 650);
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    return s;
}

struct HttpCase {
    std::string name;
    std::function<HttpResponse(int port)> send;
    int status;
    std::string code;            // error.code ("" : not checked)
    std::string path = "-";      // error.path ("-": not checked)
    std::string line = "";       // error.line ("" : not checked)
};

HttpResponse post_json(int port, const std::string& body) {
    return post_declarations(port, body, kToken, "application/json");
}
HttpResponse post_lines(int port, const std::string& body) {
    return post_declarations(port, body, kToken, "application/x-ndjson");
}
HttpResponse raw(int port, const std::string& bytes) {
    Connection c(port, 5s);
    c.send(bytes);
    return c.read_response();
}

std::string nested(int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
}

}  // namespace

TEST_CASE("bad input: each refused precisely, tally and journal unchanged") {
    TempDir drop;
    Daemon d{std::string(kSmallCard),
             {"--limits.request_timeout_ms", "500", "--drop.dir", drop.path(), "--drop.rescan_ms", "100"}};
    REQUIRE(d.start());
    // Something in the tally first, so "unchanged" is not trivially "empty".
    REQUIRE(d.post(brook(1, 700, 650), "application/json").status == 200);

    const std::string board0 = d.scoreboard();
    const std::uint64_t seq0 = d.last_seq();
    const long long journal0 = d.journal_size();
    auto unchanged = [&](const std::string& name) {
        INFO("after case: " << name);
        CHECK(d.scoreboard() == board0);
        CHECK(d.last_seq() == seq0);
        CHECK(d.journal_size() == journal0);
    };

    const std::string big_body(10u << 20, ' ');
    std::vector<HttpCase> cases = {
        // Not JSON, or not the JSON we want.
        {"truncated JSON", [](int p) { return post_json(p, brook(1, 700, 650).substr(0, 120)); }, 400, "invalid_json", "", "1"},
        {"trailing garbage", [](int p) { return post_json(p, brook(1, 700, 650) + "}"); }, 400, "invalid_json", ""},
        {"invalid UTF-8 in a name", [](int p) { return post_json(p, brook_with("Smith A.", "Sm\xC3\x28th")); }, 400, "invalid_json", ""},
        {"overlong UTF-8 encoding", [](int p) { return post_json(p, brook_with("Smith A.", "Smith \xC0\xAF")); }, 400, "invalid_json", ""},
        {"deeply nested JSON (5000 levels)", [](int p) { return post_json(p, brook_with("\"test\"", nested(5000))); }, 400, "invalid_json", ""},
        {"nested arrays where a string belongs", [](int p) { return post_json(p, brook_with("\"test\"", nested(50))); }, 400, "wrong_type", "source"},
        {"top level is an array", [](int p) { return post_json(p, "[" + brook(1, 700, 650) + "]"); }, 400, "wrong_type", ""},
        {"empty body", [](int p) { return post_json(p, ""); }, 400, "empty_body", ""},
        {"only blank lines (JSON lines)", [](int p) { return post_lines(p, "\n \n\r\n"); }, 400, "empty_body", ""},
        // Wrong types.
        {"revision is a string", [](int p) { return post_json(p, brook_with("\"revision\":1", "\"revision\":\"1\"")); }, 400, "wrong_type", "revision"},
        {"votes is a string", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":\"700\"")); }, 400, "wrong_type", "candidates[0].votes"},
        {"elected is a string", [](int p) { return post_json(p, brook_with("\"elected\":true", "\"elected\":\"yes\"")); }, 400, "wrong_type", "candidates[0].elected"},
        {"candidates is an object", [](int p) { return post_json(p, brook_with("\"candidates\":[", "\"candidates\":{\"x\":[") + "}"); }, 400, "wrong_type", "candidates"},
        {"votes is fractional", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":700.5")); }, 400, "not_integer", "candidates[0].votes"},
        // Missing and unknown fields.
        {"ward missing", [](int p) { return post_json(p, brook_with("\"ward\":\"local.testham.brook.2022-05-05\",", "")); }, 400, "missing_field", "ward"},
        {"declared_at missing", [](int p) { return post_json(p, brook_with("\"declared_at\":\"2022-05-06T01:00:00Z\",", "")); }, 400, "missing_field", "declared_at"},
        {"candidate name missing", [](int p) { return post_json(p, brook_with("\"name\":\"Smith A.\",", "")); }, 400, "missing_field", "candidates[0].name"},
        {"unknown field", [](int p) { return post_json(p, brook_with("\"source\":", "\"colour\":\"red\",\"source\":")); }, 400, "unknown_field", "colour"},
        {"no candidates", [](int p) { auto s = brook(1, 700, 650); return post_json(p, s.substr(0, s.find("\"candidates\"")) + "\"candidates\":[]}"); }, 400, "no_candidates", "candidates"},
        // Not on the card, or not possible.
        {"unknown ward", [](int p) { return post_json(p, brook_with("\"ward\":\"local.testham.brook.2022-05-05\"", "\"ward\":\"local.testham.nowhere.2022-05-05\"")); }, 400, "unknown_ward", "ward"},
        {"unknown council", [](int p) { return post_json(p, brook_with("\"council\":\"local.testham.2022-05-05\"", "\"council\":\"local.elsewhere.2022-05-05\"")); }, 400, "unknown_council", "council"},
        {"postponed ward", [](int p) { return post_json(p, brook_with("\"ward\":\"local.testham.brook.2022-05-05\"", "\"ward\":\"local.testham.carr.2022-05-05\"")); }, 400, "postponed_poll", "ward"},
        {"unknown party", [](int p) { return post_json(p, brook_with("\"party\":\"CON\"", "\"party\":\"WHIG\"")); }, 400, "unknown_party", "candidates[1].party"},
        {"extra seats: two elected in a one-seat ward", [](int p) { return post_json(p, brook_with("\"votes\":650,\"elected\":false", "\"votes\":650,\"elected\":true")); }, 400, "elected_count", "candidates"},
        {"elected below unelected", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":70")); }, 400, "elected_below_unelected", "-"},
        {"duplicate candidate", [](int p) { return post_json(p, brook_with("Jones B.", "Smith A.")); }, 400, "duplicate_candidate", "candidates[1].name"},
        {"some votes missing", [](int p) { return post_json(p, brook_with("\"votes\":650,", "")); }, 400, "mixed_votes", "-"},
        // Numbers out of range.
        {"huge number beyond 64 bits", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":99999999999999999999999999")); }, 400, "invalid_json", ""},
        {"unsigned 64-bit number", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":18446744073709551615")); }, 400, "out_of_range", "candidates[0].votes"},
        {"votes above the bound", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":100000001")); }, 400, "out_of_range", "candidates[0].votes"},
        {"1e30 votes", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":1e30")); }, 400, "not_integer", "candidates[0].votes"},
        {"negative votes", [](int p) { return post_json(p, brook_with("\"votes\":700", "\"votes\":-700")); }, 400, "out_of_range", "candidates[0].votes"},
        {"revision 0", [](int p) { return post_json(p, brook_with("\"revision\":1", "\"revision\":0")); }, 400, "out_of_range", "revision"},
        // A batch with one bad line is refused whole: Abbey (line 1) is not applied.
        {"batch with one bad line", [](int p) { return post_lines(p, abbey(1) + "\n" + brook_with("\"votes\":700", "\"votes\":-1") + "\n" + mayor(1) + "\n"); },
         400, "out_of_range", "candidates[0].votes", "2"},
        {"batch with a truncated last line", [](int p) { return post_lines(p, abbey(1) + "\n" + mayor(1).substr(0, 40)); }, 400, "invalid_json", "", "2"},
        // Authorization and content type.
        {"no token", [](int p) { return post_declarations(p, abbey(1), "", "application/json"); }, 401, "no_token"},
        {"not a bearer token", [](int p) { return request(p, "POST", "/v1/declarations", {{"Authorization", "Basic dTpw"}, {"Content-Type", "application/json"}}, abbey(1)); }, 401, "bad_authorization"},
        {"wrong token", [](int p) { return post_declarations(p, abbey(1), "not-the-token", "application/json"); }, 403, "bad_token"},
        {"wrong content type", [](int p) { return post_declarations(p, abbey(1), kToken, "text/plain"); }, 415, "unsupported_media_type"},
        {"no content type", [](int p) { return request(p, "POST", "/v1/declarations", {{"Authorization", "Bearer " + kToken}}, abbey(1)); }, 415, "unsupported_media_type"},
        // Limits.
        {"10 MB body", [&](int p) { return post_json(p, big_body); }, 413, "body_too_large"},
        {"10 MB chunked body", [&](int p) {
             Connection c(p, 10s);
             c.send("POST /v1/declarations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken +
                    "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
             const std::string chunk = fmt::format("{:x}\r\n{}\r\n", 1u << 20, std::string(1u << 20, ' '));
             for (int i = 0; i < 10 && c.send(chunk); ++i) {
             }
             c.send("0\r\n\r\n");
             return c.read_response();
         }, 413, "body_too_large"},
        {"oversized headers", [](int p) { return request(p, "GET", "/v1/scoreboard", {{"X-Pad", std::string(20000, 'a')}}); }, 431, "headers_too_large"},
        // Malformed HTTP.
        {"malformed request line", [](int p) { return raw(p, "GARBAGE\r\n\r\n"); }, 400, "bad_http"},
        {"request line without a version", [](int p) { return raw(p, "GET /v1/scoreboard\r\n\r\n"); }, 400, "bad_http"},
        {"bad chunk size", [](int p) { return raw(p, "POST /v1/declarations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"); }, 400, "bad_http"},
        {"bad percent-encoding in the target", [](int p) { return request(p, "GET", "/v1/councils/%zz"); }, 400, "bad_target"},
        // Routes, methods, queries.
        {"unknown route", [](int p) { return get(p, "/v1/nothing-here"); }, 404, "no_route"},
        {"unknown council", [](int p) { return get(p, "/v1/councils/local.nowhere.2022-05-05"); }, 404, "unknown_council"},
        {"wrong method on a read route", [](int p) { return request(p, "DELETE", "/v1/scoreboard"); }, 405, "method_not_allowed"},
        {"GET on the push route", [](int p) { return get(p, "/v1/declarations"); }, 405, "method_not_allowed"},
        {"PUT on the push route", [](int p) { return request(p, "PUT", "/v1/declarations", {{"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}}, abbey(1)); }, 405, "method_not_allowed"},
        {"events since=abc", [](int p) { return get(p, "/v1/events?since=abc"); }, 400, "bad_query"},
        {"events since=-1", [](int p) { return get(p, "/v1/events?since=-1"); }, 400, "bad_query"},
        {"events limit=1.5", [](int p) { return get(p, "/v1/events?limit=1.5"); }, 400, "bad_query"},
        {"events since empty", [](int p) { return get(p, "/v1/events?since="); }, 400, "bad_query"},
        {"events since beyond 64 bits", [](int p) { return get(p, "/v1/events?since=99999999999999999999999"); }, 400, "bad_query"},
        {"events unknown parameter", [](int p) { return get(p, "/v1/events?from=3"); }, 400, "bad_query"},
    };

    for (const auto& c : cases) {
        INFO("case: " << c.name);
        auto res = c.send(d.port());
        CHECK(res.status == c.status);
        auto body = parse_json(res.body);
        if (!c.code.empty()) CHECK(jstr(body, "error.code") == c.code);
        if (c.path != "-") CHECK(jstr(body, "error.path") == c.path);
        if (!c.line.empty()) CHECK(jstr(body, "error.line") == c.line);
        if (c.status == 400 && res.body.find("\"results\"") != std::string::npos) {
            CHECK(jstr(body, "status") == "rejected");
            CHECK(jstr(body, "accepted") == "0");
        }
        if (c.status == 405) CHECK(!res.header("allow").empty());
        unchanged(c.name);
    }
    // The refused batch's good lines were not applied.
    auto council = d.get(std::string("/v1/councils/") + kTesthamCouncil).body;
    CHECK(jstr(council, "wards_declared") == "1");

    {  // slowloris: a request trickled byte by byte gets 408 within the request timeout
        Connection c(d.port(), 5s);
        const auto t0 = Clock::now();
        REQUIRE(c.send("POST /v1/declarations HTTP/1.1\r\nHost: x\r\n"));
        const std::string trickle = "X-Slow: " + std::string(200, 'a');
        for (char ch : trickle) {
            if (Clock::now() - t0 > 3s || !c.send(std::string(1, ch))) break;
            std::this_thread::sleep_for(50ms);
        }
        auto res = c.read_response();
        const auto took = Clock::now() - t0;
        INFO("slowloris answer after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms: " << res.status << " " << res.body);
        CHECK(res.status == 408);
        CHECK(jstr(res.body, "error.code") == "request_timeout");
        CHECK(took >= 450ms);
        CHECK(took < 2000ms);
        CHECK(c.wait_closed(2s));
        unchanged("slowloris");
    }

    {  // slowloris body: headers complete, body trickled
        Connection c(d.port(), 5s);
        const auto t0 = Clock::now();
        const std::string body = abbey(1);
        REQUIRE(c.send(fmt::format("POST /v1/declarations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n"
                                   "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                                   kToken, body.size())));
        for (char ch : body) {
            if (Clock::now() - t0 > 3s || !c.send(std::string(1, ch))) break;
            std::this_thread::sleep_for(50ms);
        }
        auto res = c.read_response();
        CHECK(res.status == 408);
        CHECK(Clock::now() - t0 < 2000ms);
        unchanged("slowloris body");
    }

    {  // drop directory: bad files are moved to rejected/ with an error file naming the error
        struct DropCase {
            std::string file, content, code, path, line;
        };
        std::vector<DropCase> drops = {
            {"a-bad-json.jsonl", brook(1, 700, 650).substr(0, 90) + "\n", "invalid_json", "", "1"},
            {"b-unknown-council.json", brook_with("\"council\":\"local.testham.2022-05-05\"", "\"council\":\"local.elsewhere.2022-05-05\""), "unknown_council", "council", "1"},
            {"c-one-bad-line.jsonl", abbey(1) + "\n" + mayor(1) + "\n" + brook_with("\"ward\":\"local.testham.brook.2022-05-05\"", "\"ward\":\"local.testham.nowhere.2022-05-05\"") + "\n", "unknown_ward", "ward", "3"},
            {"d-empty.jsonl", "", "empty_body", "", "1"},
            {"e-invalid-utf8.jsonl", brook_with("Smith A.", "Smith \xFF\xFE") + "\n", "invalid_json", "", "1"},
            {"f-extra-seats.ndjson", brook_with("\"votes\":650,\"elected\":false", "\"votes\":650,\"elected\":true") + "\n", "elected_count", "candidates", "1"},
        };
        for (const auto& f : drops) {
            // Written under a dot-name, then renamed: only complete files are taken.
            write_whole_file(drop / ("." + f.file + ".tmp"), f.content);
            std::filesystem::rename(drop / ("." + f.file + ".tmp"), drop / f.file);
        }
        for (const auto& f : drops) {
            INFO("drop file: " << f.file);
            const std::string error_file = drop / ("rejected/" + f.file + ".error.json");
            const auto deadline = Clock::now() + 10s;
            while (file_size_or_minus1(error_file) <= 0 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
            REQUIRE(file_size_or_minus1(error_file) > 0);
            CHECK(file_size_or_minus1(drop / ("rejected/" + f.file)) == static_cast<long long>(f.content.size()));
            CHECK(file_size_or_minus1(drop / f.file) == -1);
            CHECK(file_size_or_minus1(drop / ("processed/" + f.file)) == -1);
            auto err = parse_json(read_whole_file(error_file));
            CHECK(jstr(err, "status") == "rejected");
            CHECK(jstr(err, "error.code") == f.code);
            CHECK(jstr(err, "error.path") == f.path);
            CHECK(jstr(err, "error.line") == f.line);
            CHECK(jstr(err, "note") == "nothing in this file was applied");
        }
        unchanged("drop directory");
        CHECK(jstr(d.get(std::string("/v1/councils/") + kTesthamCouncil).body, "wards_declared") == "1");
    }

    // Still healthy and still taking good input after all that.
    auto ok = d.post(abbey(1), "application/json");
    CHECK(ok.status == 200);
    CHECK(jstr(ok.body, "status") == "accepted");
    CHECK(d.journal_size() > journal0);
}
