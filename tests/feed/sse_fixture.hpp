#pragma once
// An event-stream (SSE) subscriber for the integration tests: reads
// /v1/events/stream and records what it was sent (hello, snapshot, events
// with their ids, heartbeat comments, the close event), noting anything the
// protocol forbids in `problems`. The counterpart of feed_fixture's
// WebSocket Subscriber; comparisons are the same (first_difference, ...).
#include <optional>
#include <string>
#include <vector>

#include "tests/feed/feed_fixture.hpp"
#include "tests/support/sse_client.hpp"

namespace declared::testing {

class SseSubscriber {
public:
    SseClient sse;
    std::optional<boost::json::object> hello;
    std::optional<std::uint64_t> snapshot_seq;
    std::vector<FeedEvent> snapshot;
    std::vector<FeedEvent> events;
    std::vector<std::uint64_t> heartbeats;  // the ids of heartbeat comments
    std::optional<boost::json::object> close;  // the close event, if the server sent one
    bool ended = false;
    std::vector<std::string> problems;
    std::uint64_t cursor = 0;
    std::size_t blocks = 0;

    bool connect(int port, const std::string& query,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}, int rcvbuf = 0) {
        return sse.connect(port, "/v1/events/stream" + query, headers, 5s, rcvbuf);
    }
    std::string hello_str(const char* key) const {
        if (!hello) return "<no hello>";
        auto* v = hello->if_contains(key);
        if (!v) return "<absent>";
        return v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
    }
    int close_code() const { return close ? static_cast<int>(close->at("code").to_number<std::int64_t>()) : 0; }
    std::string close_reason() const { return close ? std::string(close->at("reason").as_string()) : ""; }
    std::optional<std::uint64_t> close_since() const {
        if (!close || !close->contains("since")) return std::nullopt;
        return close->at("since").to_number<std::uint64_t>();
    }
    std::string problems_text() const {
        std::string s;
        for (const auto& p : problems) s += p + "\n";
        return s;
    }

    // One block; false on end or timeout.
    bool step(std::chrono::milliseconds timeout = 5s) {
        if (ended) return false;
        auto r = sse.read(timeout);
        if (r.kind == SseRead::Kind::timeout) return false;
        if (r.kind == SseRead::Kind::ended) {
            ended = true;
            return false;
        }
        ++blocks;
        take(r.block);
        return true;
    }
    bool until(std::uint64_t seq, std::chrono::milliseconds timeout = 20s) {
        const auto deadline = Clock::now() + timeout;
        while (!(hello && cursor >= seq && (snapshot_seq || !wants_snapshot()))) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left <= 0ms || !step(left)) return false;
        }
        return true;
    }
    bool until_end(std::chrono::milliseconds timeout = 10s) {
        const auto deadline = Clock::now() + timeout;
        while (!ended) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left <= 0ms) return false;
            step(left);
        }
        return true;
    }

private:
    bool wants_snapshot() const { return hello && hello_str("resume") == "snapshot"; }

    void take(const SseBlock& b) {
        if (!hello) {
            auto v = parse_json(b.data);
            if (b.event != "hello" || !v.is_object() || jstr(v, "type") != "hello")
                return problems.push_back("first block is not the hello: " + b.data.substr(0, 200));
            if (!b.retry) problems.push_back("the opening has no retry: field");
            hello = v.as_object();
            cursor = hello_str("resume") == "since" ? hello->at("since").to_number<std::uint64_t>() : 0;
            return;
        }
        if (b.event == "close") {
            auto v = parse_json(b.data);
            if (!v.is_object()) return problems.push_back("close data is not JSON: " + b.data.substr(0, 200));
            close = v.as_object();
            return;
        }
        if (close) problems.push_back("a block after the close event");
        if (b.event == "snapshot") {
            auto lines = lines_of(b.data);
            auto first = parse_json(lines[0]);
            if (snapshot_seq || !wants_snapshot() || !events.empty())
                problems.push_back("an unexpected snapshot: " + lines[0]);
            snapshot_seq = first.as_object().at("seq").to_number<std::uint64_t>();
            if (b.id != std::to_string(*snapshot_seq))
                problems.push_back("snapshot id " + b.id.value_or("<none>") + " is not its seq");
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
        if (wants_snapshot() && !snapshot_seq) problems.push_back("a block before the snapshot");
        if (!b.dispatches()) {  // a heartbeat: a comment and the id covered
            if (b.comments.empty() || b.comments[0] != " heartbeat")
                problems.push_back("a block with no data that is not a heartbeat comment");
            if (!b.id) return problems.push_back("a heartbeat without an id");
            const std::uint64_t s = std::stoull(*b.id);
            if (s < cursor) problems.push_back(fmt::format("heartbeat id {} behind cursor {}", s, cursor));
            heartbeats.push_back(s);
            cursor = std::max(cursor, s);
            return;
        }
        if (!b.event.empty()) problems.push_back("an event block named '" + b.event + "'");
        auto e = parse_event(b.data);
        if (!e) return problems.push_back("event data is not one event: " + b.data.substr(0, 200));
        if (b.id != std::to_string(e->seq))
            problems.push_back(fmt::format("event seq {} has id {}", e->seq, b.id.value_or("<none>")));
        if (e->seq <= cursor) problems.push_back(fmt::format("seq {} after cursor {}", e->seq, cursor));
        cursor = std::max(cursor, e->seq);
        events.push_back(std::move(*e));
    }
};

}  // namespace declared::testing
