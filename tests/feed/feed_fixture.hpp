#pragma once
// Shared pieces of the feed integration tests: a multi-council card built in
// the test, declarations for it, a WebSocket subscriber that records exactly
// what it was sent (hello, snapshot, events, heartbeats, how it ended), the
// reference stream from GET /v1/events, and comparisons that name the first
// seq where two streams differ.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/daemon/daemon_fixture.hpp"
#include "tests/support/ws_client.hpp"

namespace declared::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---- The card -------------------------------------------------------------
// kCouncils all-out councils of wards_per_council one-seat wards, in three
// regions ("North West", "London", "Wales"), and one thirds council
// ("local.settled...") whose continuing CON councillors already hold a
// majority: its control_called (and a scoreboard) are published at start-up,
// before any declaration.
inline const std::vector<std::string> kRegions{"North West", "London", "Wales"};
inline std::string council_id(int c) { return fmt::format("local.c{:02d}.2022-05-05", c); }
inline std::string ward_id(int c, int w) { return fmt::format("local.c{:02d}.w{:03d}.2022-05-05", c, w); }
inline std::string region_of(int c) { return kRegions[static_cast<std::size_t>(c) % kRegions.size()]; }
inline constexpr const char* kSettled = "local.settled.2022-05-05";
inline constexpr const char* kElection = "local.2022-05-05";

inline std::string multi_card(int councils, int wards_per_council) {
    std::string cs;
    for (int c = 0; c < councils; ++c) {
        std::string ws;
        for (int w = 0; w < wards_per_council; ++w) {
            if (w) ws += ",";
            ws += fmt::format(R"({{"id":"{}","name":"Ward {} {}","seats":1,"last_won":["{}"]}})", ward_id(c, w), c, w,
                              w % 2 ? "CON" : "LAB");
        }
        cs += fmt::format(
            R"({{"id":"{}","ons":"E99{:06d}","name":"Council {}","region":"{}","size":{},"cycle":"all-out",)"
            R"("composition":{{"LAB":{},"CON":{}}},"vacancies":0,"control_before":"LAB","continuing":{{}},)"
            R"("continuing_vacancies":0,"wards":[{}],"mayors":[]}},)",
            council_id(c), c, c, region_of(c), wards_per_council, wards_per_council - wards_per_council / 2,
            wards_per_council / 2, ws);
    }
    cs += fmt::format(
        R"({{"id":"{}","ons":"E98000001","name":"Settled","region":"London","size":10,"cycle":"thirds",)"
        R"("composition":{{"CON":8,"LAB":2}},"vacancies":0,"control_before":"CON","continuing":{{"CON":6,"LAB":1}},)"
        R"("continuing_vacancies":0,"wards":[)"
        R"({{"id":"local.settled.a.2022-05-05","name":"A","seats":1,"last_won":["CON"]}},)"
        R"({{"id":"local.settled.b.2022-05-05","name":"B","seats":1,"last_won":["CON"]}},)"
        R"({{"id":"local.settled.c.2022-05-05","name":"C","seats":1,"last_won":["LAB"]}}],"mayors":[]}})",
        kSettled);
    return fmt::format(R"({{"format":"declared-card/1",
 "election":{{"id":"{}","name":"Feed test night","date":"2022-05-05","test":true}},
 "parties":[{{"code":"LAB","name":"Labour"}},{{"code":"CON","name":"Conservative"}},{{"code":"LD","name":"Liberal Democrat"}},{{"code":"IND","name":"Independent","can_control":false}}],
 "councils":[{}]}})",
                       kElection, cs);
}

// The party that wins ward w of council c at revision 1: CON takes about two
// wards in three, so every council of five or more wards is called CON GAIN
// part-way through its count.
inline std::string default_winner(int c, int w) { return (c + w) % 3 == 0 ? "LAB" : "CON"; }

// A declaration for ward w of council c; same arguments, same bytes. With
// independents > 0, that many more (losing) IND candidates with long names:
// bigger events, for tests that need volume.
inline std::string decl(int c, int w, int revision = 1, std::string winner = {}, int independents = 0) {
    if (winner.empty()) winner = default_winner(c, w);
    const int top = 900 + (c * 31 + w * 17 + revision * 7) % 400, second = top - 50 - (w * 13) % 200;
    const int lab = winner == "LAB" ? top : second, con = winner == "CON" ? top : second;
    const int ld = 40 + (c + w + revision) % 60;
    std::string more;
    for (int i = 0; i < independents; ++i)
        more += fmt::format(R"(,{{"name":"Independent-Candidate-With-A-Rather-Long-Name-Number-{:02d} X.","party":"IND","votes":{},"elected":false}})",
                            i, 10 + i);
    return fmt::format(
        R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"declared_at":"2022-05-06T02:{3:02d}:00Z","candidates":[)"
        R"({{"name":"Red R.","party":"LAB","votes":{4},"elected":{5}}},{{"name":"Blue B.","party":"CON","votes":{6},"elected":{7}}},)"
        R"({{"name":"Gold G.","party":"LD","votes":{8},"elected":false}}{9}]}})",
        ward_id(c, w), council_id(c), revision, (c + w) % 60, lab, winner == "LAB" ? "true" : "false", con,
        winner == "CON" ? "true" : "false", ld, more);
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t pos = 0; pos < text.size();) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// POSTs a batch and requires a 200.
inline void push(const Daemon& d, const std::vector<std::string>& lines) {
    auto r = d.post(join_lines(lines));
    INFO(r.body.substr(0, 600));
    REQUIRE(r.status == 200);
}

// ---- Raw upgrade requests -----------------------------------------------

// A WebSocket upgrade request for target, to send on a raw connection. The
// extra headers are added; one named like a default replaces it.
inline std::string upgrade_request(const std::string& target,
                                   const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    std::vector<std::pair<std::string, std::string>> h{{"Upgrade", "websocket"},
                                                       {"Connection", "Upgrade"},
                                                       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                                       {"Sec-WebSocket-Version", "13"}};
    for (const auto& [name, value] : extra) {
        auto same = std::find_if(h.begin(), h.end(), [&](const auto& d) { return d.first == name; });
        if (same != h.end()) same->second = value;
        else h.emplace_back(name, value);
    }
    return format_request("GET", target, h, {}, true);
}

// ---- Events ---------------------------------------------------------------

struct FeedEvent {
    std::uint64_t seq = 0;
    std::string type, council, region;  // council/region "" when null (national)
    std::string raw;                    // the bytes as sent
};

inline std::optional<FeedEvent> parse_event(const std::string& line) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.as_object();
    auto str = [&](const char* k) {
        auto* x = o.if_contains(k);
        return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    auto* seq = o.if_contains("seq");
    if (!seq || !seq->is_number()) return std::nullopt;
    FeedEvent e;
    e.seq = seq->to_number<std::uint64_t>();
    e.type = str("type");
    e.council = str("council");
    e.region = str("region");
    e.raw = line;
    return e;
}

// Every event the daemon holds after `since`, from GET /v1/events (paged).
// Also checks that the page's event bytes are the canonical (compact)
// serialization of each event, so comparing a subscriber's raw lines with
// `raw` here is a byte-for-byte comparison with what /v1/events serves.
struct Reference {
    std::vector<FeedEvent> events;
    std::uint64_t last_seq = 0, oldest_seq = 0;
};
inline Reference reference_events(const Daemon& d, std::uint64_t since = 0) {
    Reference ref;
    for (;;) {
        auto res = d.get(fmt::format("/v1/events?since={}&limit=10000", since));
        REQUIRE(res.status == 200);
        auto v = parse_json(res.body);
        REQUIRE(v.is_object());
        const auto& o = v.as_object();
        ref.last_seq = o.at("last_seq").to_number<std::uint64_t>();
        ref.oldest_seq = o.at("oldest_seq").to_number<std::uint64_t>();
        const auto& arr = o.at("events").as_array();
        if (arr.empty()) break;
        std::string joined;
        for (const auto& e : arr) {
            std::string canon = boost::json::serialize(e);
            if (!joined.empty()) joined += ',';
            joined += canon;
            auto fe = parse_event(canon);
            REQUIRE(fe);
            ref.events.push_back(std::move(*fe));
        }
        const auto start = res.body.find("\"events\":[");
        REQUIRE(start != std::string::npos);
        const auto stop = res.body.rfind(']');
        REQUIRE(stop != std::string::npos);
        REQUIRE(res.body.substr(start + 10, stop - start - 10) == joined);
        since = ref.events.back().seq;
    }
    return ref;
}

// The subset of events a subscriber with these filters must get (empty set:
// no filter on that key; national events, with no council or region, match
// any council or region filter).
struct Filter {
    std::set<std::string> councils, regions, types;
    bool matches(const FeedEvent& e) const {
        if (!types.empty() && !types.count(e.type)) return false;
        if (!councils.empty() && !e.council.empty() && !councils.count(e.council)) return false;
        if (!regions.empty() && !e.region.empty() && !regions.count(e.region)) return false;
        return true;
    }
};
inline std::vector<FeedEvent> select(const std::vector<FeedEvent>& all, const Filter& f, std::uint64_t after = 0) {
    std::vector<FeedEvent> out;
    for (const auto& e : all)
        if (e.seq > after && f.matches(e)) out.push_back(e);
    return out;
}

// The snapshot a subscriber should get at `seq`: the newest event of each
// state-carrying (type, council) in events up to seq, a call_retracted
// standing in the control_called slot, in seq order.
inline std::vector<FeedEvent> expected_snapshot(const std::vector<FeedEvent>& all, std::uint64_t seq,
                                                const Filter& f = {}) {
    std::map<std::pair<std::string, std::string>, FeedEvent> latest;
    for (const auto& e : all) {
        if (e.seq > seq) break;
        std::string slot = e.type == "call_retracted" ? "control_called" : e.type;
        if (slot == "council_updated" || slot == "scoreboard" || slot == "control_called")
            latest[{slot, e.council}] = e;
    }
    std::vector<FeedEvent> out;
    for (auto& [k, e] : latest)
        if (f.matches(e)) out.push_back(e);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
    return out;
}

// "" when got and want are the same events (seq and bytes) in the same order;
// otherwise where they first differ.
inline std::string first_difference(const std::vector<FeedEvent>& got, const std::vector<FeedEvent>& want) {
    for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
        if (i >= got.size())
            return fmt::format("got {} events, want {}: first missing is seq {} ({})", got.size(), want.size(),
                               want[i].seq, want[i].type);
        if (i >= want.size())
            return fmt::format("got {} events, want {}: first extra is seq {} ({})", got.size(), want.size(),
                               got[i].seq, got[i].type);
        if (got[i].seq != want[i].seq)
            return fmt::format("at index {}: got seq {} ({}), want seq {} ({})", i, got[i].seq, got[i].type,
                               want[i].seq, want[i].type);
        if (got[i].raw != want[i].raw)
            return fmt::format("seq {}: bytes differ\n got: {}\nwant: {}", got[i].seq, got[i].raw.substr(0, 300),
                               want[i].raw.substr(0, 300));
    }
    return "";
}

// "" when seqs run first, first+1, ... with no gap or repeat.
inline std::string gap_or_repeat(const std::vector<FeedEvent>& events, std::uint64_t first) {
    std::uint64_t want = first;
    for (const auto& e : events) {
        if (e.seq != want) return fmt::format("want seq {}, got {} ({})", want, e.seq, e.type);
        ++want;
    }
    return "";
}

// ---- A subscriber -----------------------------------------------------------

// Reads the feed and records it. Protocol violations it can see on its own
// (a message before hello, a snapshot whose count is wrong, a line that is
// not JSON, seqs going backwards) go to `problems`.
class Subscriber {
public:
    WsClient ws;
    std::optional<boost::json::object> hello;
    std::optional<std::uint64_t> snapshot_seq;
    std::vector<FeedEvent> snapshot;
    std::vector<FeedEvent> events;  // after hello and snapshot, in arrival order
    std::vector<std::uint64_t> heartbeats;
    std::vector<std::string> problems;
    std::optional<WsRead> end;  // how the connection ended (closed, error)
    std::uint64_t cursor = 0;   // everything up to here is covered (events, snapshot, heartbeats)
    std::size_t messages = 0;

    bool connect(int port, const std::string& query,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}, int rcvbuf = 0) {
        return ws.connect(port, "/v1/feed" + query, headers, 5s, rcvbuf);
    }

    std::string hello_str(const char* key) const {
        if (!hello) return "<no hello>";
        auto* v = hello->if_contains(key);
        if (!v) return "<absent>";
        return v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
    }

    // One message; false when the connection ended (see `end`) or timed out.
    bool step(std::chrono::milliseconds timeout = 5s) {
        if (end) return false;
        auto r = ws.read(timeout);
        if (r.kind == WsRead::Kind::timeout) return false;
        if (r.kind != WsRead::Kind::message) {
            end = r;
            return false;
        }
        ++messages;
        take(r);
        return true;
    }
    // Reads until everything up to seq is covered; false on end or timeout.
    bool until(std::uint64_t seq, std::chrono::milliseconds timeout = 20s) {
        const auto deadline = Clock::now() + timeout;
        while (!(hello && cursor >= seq && (snapshot_seq || !wants_snapshot()))) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left <= 0ms || !step(left)) return false;
        }
        return true;
    }
    // Reads until the server ends the connection; true if it did in time.
    bool until_end(std::chrono::milliseconds timeout = 10s) {
        const auto deadline = Clock::now() + timeout;
        while (!end) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left <= 0ms) return false;
            step(left);
        }
        return true;
    }
    int close_code() const { return end && end->kind == WsRead::Kind::closed ? end->close_code : 0; }
    std::string close_reason() const { return end ? end->close_reason : ""; }
    // The N in "since=N" of the close reason; nullopt when absent.
    std::optional<std::uint64_t> resume_point() const {
        auto r = close_reason();
        auto at = r.find("since=");
        if (at == std::string::npos) return std::nullopt;
        return std::stoull(r.substr(at + 6));
    }
    std::string problems_text() const {
        std::string s;
        for (const auto& p : problems) s += p + "\n";
        return s;
    }

private:
    bool wants_snapshot() const { return hello && hello_str("resume") == "snapshot"; }

    void take(const WsRead& r) {
        if (r.binary) problems.push_back("a binary message from the server");
        std::vector<std::string> lines;
        for (std::size_t pos = 0; pos <= r.data.size();) {
            auto end_at = r.data.find('\n', pos);
            if (end_at == std::string::npos) end_at = r.data.size();
            lines.push_back(r.data.substr(pos, end_at - pos));
            pos = end_at + 1;
        }
        if (!hello) {
            auto v = parse_json(r.data);
            if (lines.size() != 1 || !v.is_object() || jstr(v, "type") != "hello")
                return problems.push_back("first message is not a hello: " + r.data.substr(0, 200));
            hello = v.as_object();
            cursor = hello_str("resume") == "since" ? hello->at("since").to_number<std::uint64_t>() : 0;
            return;
        }
        auto first = parse_json(lines[0]);
        const std::string type = first.is_object() ? jstr(first, "type") : "";
        if (type == "snapshot") {
            if (snapshot_seq || !wants_snapshot() || !events.empty() || !heartbeats.empty())
                problems.push_back("an unexpected snapshot message: " + lines[0]);
            snapshot_seq = first.as_object().at("seq").to_number<std::uint64_t>();
            const auto count = first.as_object().at("events").to_number<std::size_t>();
            if (count != lines.size() - 1)
                problems.push_back(fmt::format("snapshot says {} events, carries {}", count, lines.size() - 1));
            for (std::size_t i = 1; i < lines.size(); ++i) {
                auto e = parse_event(lines[i]);
                if (!e) problems.push_back("snapshot line is not an event: " + lines[i].substr(0, 200));
                else snapshot.push_back(std::move(*e));
            }
            cursor = std::max(cursor, *snapshot_seq);
            return;
        }
        if (wants_snapshot() && !snapshot_seq) problems.push_back("a message before the snapshot: " + lines[0]);
        if (type == "heartbeat") {
            if (lines.size() != 1) problems.push_back("heartbeat with more lines: " + r.data.substr(0, 200));
            auto s = first.as_object().at("seq").to_number<std::uint64_t>();
            if (s < cursor) problems.push_back(fmt::format("heartbeat seq {} behind cursor {}", s, cursor));
            heartbeats.push_back(s);
            cursor = std::max(cursor, s);
            return;
        }
        for (const auto& l : lines) {
            auto e = parse_event(l);
            if (!e || e->type == "hello" || e->type == "snapshot" || e->type == "heartbeat") {
                problems.push_back("not an event line: " + l.substr(0, 200));
                continue;
            }
            if (e->seq <= cursor) problems.push_back(fmt::format("seq {} after cursor {}", e->seq, cursor));
            cursor = std::max(cursor, e->seq);
            events.push_back(std::move(*e));
        }
    }
};

// Polls until /v1/events says last_seq >= seq.
inline std::uint64_t wait_last_seq(const Daemon& d, std::uint64_t seq, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = Clock::now() + timeout;
    std::uint64_t last = 0;
    while (Clock::now() < deadline) {
        last = d.last_seq();
        if (last >= seq) break;
        std::this_thread::sleep_for(20ms);
    }
    return last;
}

// The value of a Prometheus counter or gauge in /metrics ("" when absent).
inline double metric(const Daemon& d, const std::string& name) {
    auto body = d.get("/metrics").body;
    std::size_t pos = 0;
    while ((pos = body.find(name + " ", pos)) != std::string::npos) {
        if (pos == 0 || body[pos - 1] == '\n') return std::stod(body.substr(pos + name.size() + 1));
        pos += name.size();
    }
    return -1;
}

}  // namespace declared::testing
