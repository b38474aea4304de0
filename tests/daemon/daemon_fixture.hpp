#pragma once
// Shared pieces of the daemon integration tests: where the binary is, cards
// and declarations built in the test, a started daemon in a temp dir, and
// small JSON helpers over responses.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/small_card.hpp"

namespace declared::testing {

inline const std::string kDeclaredBinary = DECLARED_BINARY;
inline const std::string kToken = "s3cret-token";

inline boost::json::value parse_json(const std::string& body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec) return boost::json::value(boost::json::string("<not JSON: " + body.substr(0, 200) + ">"));
    return v;
}

// The value at a dotted path ("error.code", "results.0.status") as text; "" when absent.
inline std::string jstr(const boost::json::value& v, const std::string& path) {
    const boost::json::value* cur = &v;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t end = path.find('.', pos);
        if (end == std::string::npos) end = path.size();
        std::string key = path.substr(pos, end - pos);
        pos = end + 1;
        if (cur->is_object()) {
            auto* next = cur->as_object().if_contains(key);
            if (!next) return "";
            cur = next;
        } else if (cur->is_array() && !key.empty() && std::isdigit(static_cast<unsigned char>(key[0]))) {
            auto i = std::stoul(key);
            if (i >= cur->as_array().size()) return "";
            cur = &cur->as_array()[i];
        } else {
            return "";
        }
        if (end == path.size()) break;
    }
    if (cur->is_string()) return std::string(cur->as_string());
    return boost::json::serialize(*cur);
}
inline std::string jstr(const std::string& body, const std::string& path) { return jstr(parse_json(body), path); }

// A generated card: one all-out council of `wards` one-seat wards
// ("local.gen.w000.2022-05-05"...), for tests that need many wards.
inline constexpr const char* kGenCouncil = "local.gen.2022-05-05";
inline std::string gen_ward(int i) { return fmt::format("local.gen.w{:03d}.2022-05-05", i); }
inline std::string generated_card(int wards) {
    std::string ws;
    for (int i = 0; i < wards; ++i) {
        if (i) ws += ",";
        ws += fmt::format(R"({{"id":"{}","name":"Ward {}","seats":1,"last_won":["{}"]}})", gen_ward(i), i,
                          i % 2 ? "CON" : "LAB");
    }
    return fmt::format(R"({{"format":"declared-card/1",
 "election":{{"id":"local.2022-05-05","name":"Generated","date":"2022-05-05","test":true}},
 "parties":[{{"code":"LAB","name":"Labour"}},{{"code":"CON","name":"Conservative"}},{{"code":"LD","name":"Liberal Democrat"}}],
 "councils":[{{"id":"{}","ons":"E99000002","name":"Genborough","region":"North West","size":{},"cycle":"all-out",
   "composition":{{"LAB":{},"CON":{}}},"vacancies":0,"control_before":"LAB","continuing":{{}},"continuing_vacancies":0,
   "wards":[{}],"mayors":[]}}]}})",
                       kGenCouncil, wards, wards - wards / 2, wards / 2, ws);
}
// Deterministic content for (ward, revision): the same pair always gives the
// same bytes (a resend is a duplicate, never a conflict).
inline std::string gen_declaration(int ward, int revision) {
    const int a = 500 + (ward * 37 + revision * 11) % 300, b = 500 + (ward * 13 + revision * 29) % 300;
    const int c = 10 + revision % 50;
    const bool a_wins = a != b ? a > b : true;
    const int bb = a == b ? b - 1 : b;
    return fmt::format(
        R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"declared_at":"2022-05-06T02:00:00Z","candidates":[)"
        R"({{"name":"Red R.","party":"LAB","votes":{3},"elected":{4}}},{{"name":"Blue B.","party":"CON","votes":{5},"elected":{6}}},)"
        R"({{"name":"Gold G.","party":"LD","votes":{7},"elected":false}}]}})",
        gen_ward(ward), kGenCouncil, revision, a, a_wins ? "true" : "false", bb, a_wins ? "false" : "true", c);
}

// Small-card ids (tests/support/small_card.hpp).
inline constexpr const char* kTesthamCouncil = "local.testham.2022-05-05";
inline constexpr const char* kAbbey = "local.testham.abbey.2022-05-05";
inline constexpr const char* kBrookWard = "local.testham.brook.2022-05-05";
inline constexpr const char* kCarr = "local.testham.carr.2022-05-05";
inline constexpr const char* kMayor = "mayor.testham.2022-05-05";

// A Brook declaration with the given revision and votes (Smith LAB, Jones CON, Brown LD).
inline std::string brook(int revision, int smith, int jones, int brown = 100) {
    const bool smith_wins = smith > jones;
    return fmt::format(
        R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"source":"test","declared_at":"2022-05-06T01:00:00Z",)"
        R"("electorate":5000,"ballots":1600,"rejected":3,"candidates":[{{"name":"Smith A.","party":"Lab","votes":{3},"elected":{4}}},)"
        R"({{"name":"Jones B.","party":"CON","votes":{5},"elected":{6}}},{{"name":"Brown C.","party":"LD","votes":{7},"elected":false}}]}})",
        kBrookWard, kTesthamCouncil, revision, smith, smith_wins ? "true" : "false", jones, smith_wins ? "false" : "true",
        brown);
}
inline std::string abbey(int revision) {
    return fmt::format(
        R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"declared_at":"2022-05-06T02:00:00Z","candidates":[)"
        R"({{"name":"A1","party":"LAB","votes":900,"elected":true}},{{"name":"A2","party":"LAB","votes":850,"elected":true}},)"
        R"({{"name":"C1","party":"CON","votes":800,"elected":true}},{{"name":"C2","party":"CON","votes":700,"elected":false}}]}})",
        kAbbey, kTesthamCouncil, revision);
}
inline std::string mayor(int revision) {
    return fmt::format(
        R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"declared_at":"2022-05-06T03:00:00Z","candidates":[)"
        R"({{"name":"M1","party":"LAB","votes":20000,"elected":true}},{{"name":"M2","party":"CON","votes":15000,"elected":false}}]}})",
        kMayor, kTesthamCouncil, revision);
}

// A daemon in its own temp dir: card.json, journal, log.
struct Daemon {
    TempDir dir;
    DaemonProcess process;
    std::string card_path = dir / "card.json";
    std::string journal_path = dir / "journal";
    std::string log_path = dir / "daemon.log";
    std::vector<std::string> extra;

    explicit Daemon(const std::string& card_json, std::vector<std::string> extra_args = {})
        : extra(std::move(extra_args)) {
        write_whole_file(card_path, card_json);
    }
    std::vector<std::string> args() const {
        std::vector<std::string> a{"--card", card_path, "--journal", journal_path, "--listen", "127.0.0.1:0",
                                   "--ingest-token", kToken, "--log-level", "info"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
    bool start() { return process.start(kDeclaredBinary, args(), log_path); }
    int port() const { return process.port(); }
    long long journal_size() const { return file_size_or_minus1(journal_path); }

    // Sent with every get() when the daemon was started with --read-token.
    std::string read_token;
    HttpResponse get(const std::string& target) const {
        if (read_token.empty()) return testing::get(port(), target);
        return testing::request(port(), "GET", target, {{"Authorization", "Bearer " + read_token}});
    }
    HttpResponse post(const std::string& body, const std::string& type = "application/x-ndjson") const {
        return post_declarations(port(), body, kToken, type);
    }
    std::string scoreboard() const { return get("/v1/scoreboard").body; }
    std::uint64_t last_seq() const {
        auto v = parse_json(get("/v1/events?since=0&limit=0").body);
        return v.as_object().at("last_seq").to_number<std::uint64_t>();
    }
    // Every event since 0 (paged), as the concatenated event bytes of each page.
    std::vector<std::string> all_events() const;
};

// Each event of a /v1/events page, re-serialized (a canonical form to compare).
inline std::vector<std::string> page_events(const std::string& body) {
    std::vector<std::string> out;
    auto v = parse_json(body);
    if (!v.is_object() || !v.as_object().contains("events")) return out;
    for (const auto& e : v.as_object().at("events").as_array()) out.push_back(boost::json::serialize(e));
    return out;
}

inline std::vector<std::string> Daemon::all_events() const {
    std::vector<std::string> out;
    std::uint64_t since = 0;
    for (;;) {
        auto page = page_events(get(fmt::format("/v1/events?since={}&limit=10000", since)).body);
        if (page.empty()) return out;
        since += page.size();
        for (auto& e : page) out.push_back(std::move(e));
    }
}

// "SKIPPED: ..." when ../shared/data is absent; true when present.
inline bool have_shared_data() {
    if (std::filesystem::exists(std::string(DECLARED_SHARED_DATA) + "/leh-2022/candidates.csv")) return true;
    std::printf("SKIPPED: %s/leh-2022 is absent; the 2022-night tests need ../shared/data\n", DECLARED_SHARED_DATA);
    return false;
}

}  // namespace declared::testing
