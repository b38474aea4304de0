// night_bench: the benchmark of issue 5. The generated default night (the
// one `declared demo` plays) is replayed at --speed max into a real
// `declared serve` while N WebSocket subscribers (1,000 by default) follow
// /v1/feed on loopback; every subscriber must end holding the offline
// replay's final seq and its scoreboard. Not a test: numbers go to
// BENCHMARKS.md; bench/night_bench.sh builds it and runs it three times.
//
//   night_bench [--declared PATH] [--subs N] [--threads T] [--seed S | --night DIR]
//               [--wait SECONDS] [--witnesses K] [--work DIR] [--keep] [--serve-arg ARG]...
//   (night_bench --help says what each does.)
//
// 1. `declared generate --seed 2026 --test` (the demo's night; or --night DIR),
//    then offline `declared replay --summary` (the final state, last_seq) and
//    `--events` (every event: the final seq, the last scoreboard event).
// 2. `declared serve` on 127.0.0.1, port 0 (the port is read from its
//    "listening on" log line), a fresh journal, limits.max_connections raised
//    above the subscribers (plus --serve-arg ARG, passed on).
// 3. N subscribers connect to /v1/feed?since=0 (every event from seq 1) on T
//    epoll threads (ws_load::Clients) and receive their hello, all before
//    the replay starts. Each checks that every event line's seq is the one
//    after the last it holds. A connection the daemon ends (4008 lagging,
//    a write timeout, anything) reconnects with since=<last seq held>, as
//    docs/feed.md says; such resumes are counted by close code.
// 4. `declared replay --to http://127.0.0.1:PORT --speed max`, timed.
// 5. The daemon's final seq and GET /v1/scoreboard; then a bounded wait
//    (--wait, 120 s) until every subscriber holds that seq.
// 6. Checks, for every subscriber: its last seq == the offline final seq, no
//    gap, repeat or unexpected line; its newest scoreboard event equals the
//    offline replay's last scoreboard event byte for byte with the value of
//    received_at masked (live: the arrival time; offline: declared_at); that
//    event's data equals the daemon's /v1/scoreboard on every scoreboard field
//    (parsed JSON: the summary adds by_council etc.). /v1/scoreboard equals
//    `declared replay --summary` byte for byte. The first K subscribers
//    (witnesses) also compare every event with the offline one (received_at
//    masked). Exit 0 on PASS, 1 on FAIL (or any error).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "tests/support/daemon_process.hpp"
#include "ws_load.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ws_load::die;
using ws_load::now_ns;

struct Options {
    std::string declared;  // the executable
    int subs = 1000;
    int threads = 1;
    std::string seed = "2026";
    std::string night;  // a directory with card.json and declarations.jsonl instead of generating
    double wait_s = 120;
    int witnesses = 1;
    std::string work;
    bool keep = false;
    std::vector<std::string> serve_args;
};

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
    return s;
}

// The event line with received_at's value replaced by "*": the one field in
// which a live event differs from the offline replay's.
std::string mask_received_at(std::string_view line) {
    static constexpr std::string_view key = ",\"received_at\":";
    std::string out(line);
    auto at = out.find(key);
    if (at == std::string::npos) return out;
    const std::size_t v = at + key.size();
    std::size_t end = v;
    if (end < out.size() && out[end] == '"') end = out.find('"', end + 1) + 1;  // a timestamp: no escapes
    else if (out.compare(end, 4, "null") == 0) end += 4;
    return out.replace(v, end - v, "\"*\"");
}

// Where a and b first differ, with a little context, for the report.
std::string first_difference(std::string_view a, std::string_view b) {
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    if (i == a.size() && i == b.size()) return "identical";
    const std::size_t from = i > 40 ? i - 40 : 0;
    auto cut = [&](std::string_view s) { return from < s.size() ? std::string(s.substr(from, 120)) : std::string(); };
    return "first difference at byte " + std::to_string(i) + " (lengths " + std::to_string(a.size()) + " and " +
           std::to_string(b.size()) + "): ...'" + cut(a) + "' vs ...'" + cut(b) + "'";
}

// "type" of an event line: {"seq":N,"id":"...","type":"T",...
std::string_view event_type(std::string_view line) {
    auto at = line.find(",\"type\":\"");
    if (at == std::string_view::npos || at > 200) return {};
    at += 9;
    auto end = line.find('"', at);
    return end == std::string_view::npos ? std::string_view{} : line.substr(at, end - at);
}

// ---- child processes (tests/support/daemon_process: what the integration tests use) ----

using declared::testing::DaemonProcess;

// Runs `declared ARGS...` to completion; its stdout. Dies unless it exits 0.
std::string run_declared(const Options& o, const std::vector<std::string>& args) {
    auto r = declared::testing::run_command(o.declared, args, o.work);
    if (!r.status.exited() || r.status.code != 0)
        die("`declared " + args[0] + "` ended with " +
            (r.status.exited() ? "exit " + std::to_string(r.status.code) : "signal " + std::to_string(r.status.signal)) + ": " +
            r.err.substr(0, 2000));
    return r.out;
}

// The daemon is killed on any exit (die() included), so no run leaves one behind.
std::atomic<pid_t> g_daemon{-1};
void kill_daemon() {
    if (pid_t pid = g_daemon.exchange(-1); pid > 0) ::kill(pid, SIGKILL);
}

// ---- the offline night ------------------------------------------------------------

struct Offline {
    std::uint64_t final_seq = 0;
    std::string summary;                 // `declared replay --summary`, trimmed
    std::vector<std::string> masked;     // every event (index seq-1), received_at masked
    std::string last_scoreboard_masked;  // the last scoreboard event, received_at masked
    std::size_t declarations = 0, councils = 0;
    std::uint64_t event_bytes = 0;
};

// ---- subscribers ----------------------------------------------------------------------

struct Sub {
    std::uint64_t last_seq = 0;  // newest event held; with no gap, every seq up to it
    std::uint64_t events = 0;    // event lines received
    std::uint64_t gaps = 0, repeats = 0, odd = 0;  // odd: a line that is no event, hello or heartbeat
    std::uint32_t resumes = 0;   // live connections the daemon ended (then resumed)
    std::uint32_t attempts = 0;  // reconnections that did not reach a hello
    bool hello = false;          // on the current connection
    bool witness = false;
    std::int64_t last_event_ns = 0;
    std::string scoreboard;  // the newest scoreboard event line
    std::string problem;     // the first thing wrong
    void note(const std::string& what) {
        if (problem.empty()) problem = what;
    }
};

struct Control {
    std::atomic<std::uint64_t> target{0};  // the seq every subscriber must reach; 0 until known
    std::mutex m;
    std::condition_variable cv;
};

class Subscribers : public ws_load::Clients {
public:
    static constexpr std::uint32_t kMaxAttempts = 100;  // reconnections without a hello, per subscriber

    Subscribers(int port, int n, int first_index, const Offline& offline, Control& control, int witnesses)
        : Clients(ws_load::loopback(port), n),
          subs(static_cast<std::size_t>(n)),
          held(static_cast<std::size_t>(n)),
          port_(port),
          offline_(offline),
          control_(control) {
        for (int i = 0; i < n; ++i) subs[static_cast<std::size_t>(i)].witness = first_index + i < witnesses;
    }
    std::vector<Sub> subs;  // read by the controller only after the thread has stopped
    std::vector<std::atomic<std::uint64_t>> held;  // last_seq, for the controller while running
    std::map<int, std::uint64_t> resumes_by_code;  // close code (0: none came) -> resumes
    std::map<int, std::string> first_reason;
    std::thread thread;

private:
    std::string request(int i) override {
        return ws_load::upgrade_request("/v1/feed?since=" + std::to_string(subs[static_cast<std::size_t>(i)].last_seq), port_);
    }

    void on_end(int i, const ws_load::End& e) override {
        Sub& s = subs[static_cast<std::size_t>(i)];
        if (!is_ready(i)) return count_end(i, e.why);  // never had its first hello: failed
        if (s.hello) {
            ++s.resumes;
            ++resumes_by_code[e.code];
            first_reason.emplace(e.code, e.why);
        } else if (++s.attempts > kMaxAttempts) {
            s.note("gave up resuming after " + std::to_string(kMaxAttempts) + " failed attempts: " + e.why);
            return count_end(i, e.why);
        }
        s.hello = false;
        reopen(i);
    }

    void on_lines(int i, const char* p, std::size_t n, bool, std::int64_t t) override {
        Sub& s = subs[static_cast<std::size_t>(i)];
        const char* end = p + n;
        const char* scoreboard = nullptr;
        std::size_t scoreboard_len = 0;
        const std::uint64_t before = s.last_seq;
        while (p < end) {
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
            const char* line_end = nl ? nl : end;
            std::string_view line(p, static_cast<std::size_t>(line_end - p));
            p = line_end + 1;
            if (line.starts_with("{\"seq\":")) {
                const std::uint64_t seq = std::strtoull(line.data() + 7, nullptr, 10);
                ++s.events;
                if (seq <= s.last_seq) {
                    ++s.repeats;
                    s.note("seq " + std::to_string(seq) + " again after " + std::to_string(s.last_seq));
                    continue;
                }
                if (seq != s.last_seq + 1) {
                    ++s.gaps;
                    s.note("seq " + std::to_string(seq) + " after " + std::to_string(s.last_seq) + ": a gap");
                }
                s.last_seq = seq;
                if (event_type(line) == "scoreboard") scoreboard = line.data(), scoreboard_len = line.size();
                if (s.witness) witness(s, seq, line);
            } else if (line.starts_with("{\"type\":\"hello\"")) {
                if (line.find("\"resume\":\"since\"") == std::string_view::npos)
                    s.note("hello without resume since (since=" + std::to_string(s.last_seq) + "): " + std::string(line));
                s.hello = true;
                s.attempts = 0;
                set_ready(i);
            } else if (line.starts_with("{\"type\":\"heartbeat\"")) {
                // Every event up to its seq has been sent: with no filter, that is the last one held.
                auto at = line.find("\"seq\":");
                const std::uint64_t hb = at == std::string_view::npos ? 0 : std::strtoull(line.data() + at + 6, nullptr, 10);
                if (hb != s.last_seq)
                    s.note("heartbeat seq " + std::to_string(hb) + " while holding " + std::to_string(s.last_seq));
            } else {
                ++s.odd;
                s.note("unexpected line: " + std::string(line.substr(0, 200)));
            }
        }
        if (scoreboard) s.scoreboard.assign(scoreboard, scoreboard_len);
        if (s.last_seq == before) return;
        s.last_event_ns = t;
        held[static_cast<std::size_t>(i)].store(s.last_seq, std::memory_order_release);
        const std::uint64_t target = control_.target.load(std::memory_order_acquire);
        if (target != 0 && s.last_seq >= target && before < target) {
            { std::lock_guard lock(control_.m); }
            control_.cv.notify_all();
        }
    }

    void witness(Sub& s, std::uint64_t seq, std::string_view line) {
        if (!s.problem.empty()) return;  // one difference is enough
        if (seq > offline_.masked.size())
            return s.note("seq " + std::to_string(seq) + " beyond the offline replay's " + std::to_string(offline_.masked.size()));
        const std::string live = mask_received_at(line);
        const std::string& off = offline_.masked[seq - 1];
        if (live != off) s.note("event seq " + std::to_string(seq) + " differs from the offline replay's: " + first_difference(live, off));
    }

    int port_;
    const Offline& offline_;
    Control& control_;
};

// ---- the run ----------------------------------------------------------------------------

Offline offline_night(const Options& o, const std::string& card, const std::string& decls) {
    Offline off;
    off.summary = std::string(trim(run_declared(o, {"replay", "--card", card, "--declarations", decls, "--summary"})));
    const json::value summary = json::parse(off.summary);
    const std::uint64_t summary_seq = summary.at("last_seq").to_number<std::uint64_t>();
    const std::string events = run_declared(o, {"replay", "--card", card, "--declarations", decls, "--events"});
    off.event_bytes = events.size();
    std::string_view last_scoreboard;
    for (std::size_t pos = 0; pos < events.size();) {
        auto end = events.find('\n', pos);
        if (end == std::string::npos) end = events.size();
        std::string_view line(events.data() + pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        const std::uint64_t seq = std::strtoull(line.data() + 7, nullptr, 10);
        if (!line.starts_with("{\"seq\":") || seq != off.masked.size() + 1)
            die("offline events: expected seq " + std::to_string(off.masked.size() + 1) + ", got: " + std::string(line.substr(0, 100)));
        off.masked.push_back(mask_received_at(line));
        if (event_type(line) == "scoreboard") last_scoreboard = line;
    }
    off.final_seq = off.masked.size();
    if (off.final_seq != summary_seq)
        die("offline: --events ends at seq " + std::to_string(off.final_seq) + " but --summary says last_seq " + std::to_string(summary_seq));
    if (last_scoreboard.empty()) die("offline: no scoreboard event");
    off.last_scoreboard_masked = mask_received_at(last_scoreboard);
    off.declarations = ws_load::read_lines(decls).size();
    off.councils = json::parse(declared::testing::read_whole_file(card)).at("councils").as_array().size();
    return off;
}

// The scoreboard event's data against the summary, field by field (parsed):
// empty when every field of data is in the summary with the same value.
std::string scoreboard_vs_summary(const std::string& event_line, const json::object& summary) {
    json::value ev = json::parse(event_line);
    const json::object& data = ev.at("data").as_object();
    for (const auto& kv : data) {
        const json::value* v = summary.if_contains(kv.key());
        if (!v) return "summary has no field " + std::string(kv.key());
        if (*v != kv.value())
            return "field " + std::string(kv.key()) + ": event " + json::serialize(kv.value()) + " vs /v1/scoreboard " + json::serialize(*v);
    }
    return {};
}

int run(const Options& o) {
    std::vector<std::string> failures;
    auto wrong = [&](const std::string& what) {
        failures.push_back(what);
        std::printf("FAIL: %s\n", what.c_str());
    };

    // 1. The night, and what the offline replay makes of it.
    std::string card = o.night + "/card.json", decls = o.night + "/declarations.jsonl";
    const std::int64_t t_gen = now_ns();
    if (o.night.empty()) {
        const std::string dir = o.work + "/night";
        run_declared(o, {"generate", "--seed", o.seed, "--test", "--out", dir});
        card = dir + "/card.json";
        decls = dir + "/declarations.jsonl";
    }
    const double gen_s = seconds(now_ns() - t_gen);
    const std::int64_t t_off = now_ns();
    const Offline off = offline_night(o, card, decls);
    const double offline_s = seconds(now_ns() - t_off);
    std::printf("night: %s, %zu councils, %zu declarations (generated in %.1f s); offline replay: %" PRIu64
                " events, %.1f MB, final seq %" PRIu64 " (both replays %.1f s)\n",
                o.night.empty() ? ("generated, seed " + o.seed).c_str() : o.night.c_str(), off.councils, off.declarations, gen_s,
                off.final_seq, static_cast<double>(off.event_bytes) / 1e6, off.final_seq, offline_s);
    std::fflush(stdout);

    // 2. The daemon.
    const std::string token = "nightbench" + std::to_string(getpid());
    std::vector<std::string> serve{"--card", card, "--journal", o.work + "/journal.dcl", "--listen", "127.0.0.1:0",
                                   // The daemon records the token's source on each declaration (docs/api.md):
                                   // "generate" is what the generated declarations say, so events match offline.
                                   "--ingest-token", "generate:" + token,
                                   // Each subscriber is a connection: leave room above them (the default is 1,024).
                                   "--limits.max_connections", std::to_string(std::max(2048, 2 * o.subs + 64)),
                                   "--limits.max_connections_per_address", "0", "--feed.max_subscribers_per_address", "0"};
    serve.insert(serve.end(), o.serve_args.begin(), o.serve_args.end());
    DaemonProcess daemon;  // its log in the work directory; bounded wait for "listening on http://127.0.0.1:PORT"
    if (!daemon.start(o.declared, serve, o.work + "/daemon.log", std::chrono::seconds(30)))
        die("the daemon did not start listening: " + daemon.log().substr(0, 2000));
    g_daemon = daemon.pid();
    std::atexit(kill_daemon);
    const std::string dpid = std::to_string(daemon.pid());
    ws_load::HttpClient http(ws_load::loopback(daemon.port()), "");
    http.get("/readyz");  // 2xx or die
    std::printf("daemon: pid %d on 127.0.0.1:%d (declared serve", daemon.pid(), daemon.port());
    for (const auto& a : serve) std::printf(" %s", a.c_str());
    std::printf(")\n");
    std::fflush(stdout);

    // 3. The subscribers, all connected (hello received) before the replay.
    Control control;
    std::atomic<bool> stop{false};
    std::vector<std::unique_ptr<Subscribers>> workers;
    for (int w = 0, first = 0; w < o.threads; ++w) {
        const int n = o.subs / o.threads + (w < o.subs % o.threads ? 1 : 0);
        workers.push_back(std::make_unique<Subscribers>(daemon.port(), n, first, off, control, o.witnesses));
        first += n;
    }
    const std::int64_t rss_idle = ws_load::proc_rss_kb(dpid);
    const std::int64_t t_connect = now_ns();
    for (auto& wk : workers) wk->thread = std::thread([w = wk.get(), &stop] { w->run(stop); });
    auto total = [&](auto field) {
        std::uint64_t s = 0;
        for (auto& wk : workers) s += static_cast<std::uint64_t>(((*wk).*field).load());
        return s;
    };
    for (;;) {  // bounded: 60 s
        const std::uint64_t r = total(&Subscribers::ready), f = total(&Subscribers::failed);
        if (r + f >= static_cast<std::uint64_t>(o.subs)) break;
        if (now_ns() - t_connect > 60'000'000'000LL) die("subscribers still connecting after 60 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double connect_s = seconds(now_ns() - t_connect);
    if (total(&Subscribers::failed) > 0) {
        for (auto& wk : workers)
            if (!wk->first_error().empty()) std::fprintf(stderr, "first failure: %s\n", wk->first_error().c_str());
        die(std::to_string(total(&Subscribers::failed)) + " of " + std::to_string(o.subs) + " subscribers failed to connect");
    }
    const std::int64_t rss_connected = ws_load::proc_rss_kb(dpid);
    std::printf("subscribers: %d connected to /v1/feed?since=0 in %.2f s on %d thread(s); daemon RSS %.1f -> %.1f MB\n",
                o.subs, connect_s, o.threads, static_cast<double>(rss_idle) / 1024, static_cast<double>(rss_connected) / 1024);
    std::fflush(stdout);

    // 4. The replay, timed.
    const ws_load::ProcCpu cpu0 = ws_load::proc_cpu(daemon.pid());
    const std::int64_t self0 = ws_load::self_cpu_us();
    const std::int64_t t0 = now_ns();
    run_declared(o, {"replay", "--to", "http://127.0.0.1:" + std::to_string(daemon.port()), "--token", token, "--card", card,
                     "--declarations", decls, "--speed", "max"});
    const std::int64_t t_replayed = now_ns();
    const double replay_s = seconds(t_replayed - t0);

    // 5. The daemon's final state; then every subscriber must reach its seq.
    const std::string live_summary(trim(http.get("/v1/scoreboard")));
    const json::value live = json::parse(live_summary);
    const std::uint64_t final_seq = live.at("last_seq").to_number<std::uint64_t>();
    std::printf("replay --speed max: %.2f s (%.0f declarations/s, %.0f events/s); daemon's final seq %" PRIu64 "\n", replay_s,
                static_cast<double>(off.declarations) / replay_s, static_cast<double>(final_seq) / replay_s, final_seq);
    std::fflush(stdout);
    control.target.store(final_seq, std::memory_order_release);
    auto caught_up = [&] {
        int n = 0;
        for (auto& wk : workers)
            for (auto& h : wk->held) n += h.load(std::memory_order_acquire) >= final_seq;
        return n;
    };
    int done = 0;
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(o.wait_s * 1000));
        std::unique_lock lock(control.m);
        // Subscribers notify as each reaches the seq; one that is closed for good never will, hence the deadline.
        while ((done = caught_up()) < o.subs && total(&Subscribers::failed) + total(&Subscribers::closed) == 0)
            if (control.cv.wait_until(lock, deadline) == std::cv_status::timeout) {
                done = caught_up();
                break;
            }
    }
    const std::int64_t t_waited = now_ns();
    const ws_load::ProcCpu cpu1 = ws_load::proc_cpu(daemon.pid());
    const std::int64_t self1 = ws_load::self_cpu_us();
    const std::int64_t peak_rss = ws_load::proc_peak_rss_kb(dpid);
    if (done < o.subs)
        wrong(std::to_string(o.subs - done) + " of " + std::to_string(o.subs) + " subscribers do not hold seq " +
             std::to_string(final_seq) + " after " + std::to_string(seconds(t_waited - t_replayed)) + " s");
    std::int64_t gen_thread_us = 0;
    for (auto& wk : workers) {
        timespec ts;
        clock_gettime(wk->cpu_clock, &ts);
        gen_thread_us += ts.tv_sec * 1'000'000LL + ts.tv_nsec / 1000;
    }
    stop = true;
    for (auto& wk : workers) wk->thread.join();
    const auto daemon_end = daemon.terminate(std::chrono::seconds(15));  // SIGTERM; SIGKILL after 15 s
    g_daemon = -1;

    // 6. Checks.
    if (final_seq != off.final_seq)
        wrong("the daemon's final seq is " + std::to_string(final_seq) + ", the offline replay's " + std::to_string(off.final_seq));
    if (live_summary != off.summary) {
        std::string how = json::parse(live_summary) == json::parse(off.summary) ? "same JSON, different bytes: " : "";
        wrong("GET /v1/scoreboard differs from `declared replay --summary`: " + how + first_difference(live_summary, off.summary));
    }
    const std::string sb_vs_summary = scoreboard_vs_summary(off.last_scoreboard_masked, live.as_object());
    if (!sb_vs_summary.empty()) wrong("the offline replay's last scoreboard event vs /v1/scoreboard: " + sb_vs_summary);
    std::uint64_t events_total = 0, min_events = UINT64_MAX, max_events = 0, resumes = 0, attempts = 0, bad = 0;
    std::vector<double> catchup;
    std::map<int, std::uint64_t> by_code;
    std::map<int, std::string> reasons;
    std::map<std::string, std::uint64_t> scoreboards;  // distinct final scoreboard lines (masked) -> subscribers
    for (auto& wk : workers) {
        for (auto& [code, n] : wk->resumes_by_code) by_code[code] += n;
        for (auto& [code, why] : wk->first_reason) reasons.emplace(code, why);
        for (std::size_t i = 0; i < wk->subs.size(); ++i) {
            const Sub& s = wk->subs[i];
            events_total += s.events;
            min_events = std::min(min_events, s.events);
            max_events = std::max(max_events, s.events);
            resumes += s.resumes;
            attempts += s.attempts;
            if (s.last_event_ns) catchup.push_back(seconds(s.last_event_ns - t0));
            std::string why;
            const std::string masked = mask_received_at(s.scoreboard);
            ++scoreboards[masked];
            if (s.last_seq != off.final_seq)
                why = "holds seq " + std::to_string(s.last_seq) + ", the offline replay's final seq is " + std::to_string(off.final_seq);
            else if (s.gaps || s.repeats || s.odd)
                why = std::to_string(s.gaps) + " gaps, " + std::to_string(s.repeats) + " repeats, " + std::to_string(s.odd) + " odd lines";
            else if (masked != off.last_scoreboard_masked)
                why = "its last scoreboard event differs from the offline replay's: " + first_difference(masked, off.last_scoreboard_masked);
            if (!s.problem.empty()) why += (why.empty() ? "" : "; first problem: ") + s.problem;
            if (why.empty()) continue;
            if (++bad <= 10) {
                // Subscribers are numbered across workers in order.
                std::size_t number = i;
                for (auto& other : workers) {
                    if (&other == &wk) break;
                    number += other->subs.size();
                }
                wrong("subscriber " + std::to_string(number) + (s.witness ? " (witness)" : "") + ": " + why);
            }
        }
    }
    if (bad > 10) wrong(std::to_string(bad - 10) + " more subscribers with a problem");
    // Every distinct final scoreboard held (there should be one) against the daemon's summary, parsed.
    for (const auto& [line, n] : scoreboards) {
        if (line.empty()) {
            wrong(std::to_string(n) + " subscribers hold no scoreboard event");
            continue;
        }
        const std::string diff = scoreboard_vs_summary(line, live.as_object());
        if (!diff.empty()) wrong(std::to_string(n) + " subscribers' last scoreboard event vs /v1/scoreboard: " + diff);
    }
    if (!daemon_end.exited() || daemon_end.code != 0)
        wrong("the daemon ended with " + (daemon_end.exited() ? "exit " + std::to_string(daemon_end.code) : "signal " + std::to_string(daemon_end.signal)) +
             " after SIGTERM");

    // Report.
    std::sort(catchup.begin(), catchup.end());
    const double last_catchup = catchup.empty() ? 0 : catchup.back();
    const double median_catchup = catchup.empty() ? 0 : catchup[catchup.size() / 2];
    const std::uint64_t frames = total(&Subscribers::messages);
    const double daemon_user_s = static_cast<double>(cpu1.user_us - cpu0.user_us) / 1e6;
    const double daemon_sys_s = static_cast<double>(cpu1.sys_us - cpu0.sys_us) / 1e6;
    const double daemon_cpu_s = daemon_user_s + daemon_sys_s;
    const double window_s = seconds(t_waited - t0);
    if (o.subs > 0)
        std::printf("caught up: last subscriber %.2f s after the replay started (%.2f s %s it ended), median %.2f s\n",
                last_catchup, std::abs(last_catchup - replay_s), last_catchup < replay_s ? "before" : "after", median_catchup);
    std::printf("delivered: %" PRIu64 " events per subscriber (min %" PRIu64 ", max %" PRIu64 "), %" PRIu64
                " event lines in %" PRIu64 " frames, hellos included (%.1f events per frame) to %d subscribers\n",
                off.final_seq, o.subs ? min_events : 0, max_events, events_total, frames,
                frames ? static_cast<double>(events_total) / static_cast<double>(frames) : 0.0, o.subs);
    std::printf("resumes: %" PRIu64, resumes);
    for (const auto& [code, n] : by_code) std::printf("; %" PRIu64 " after %s", n, reasons[code].c_str());
    if (attempts) std::printf("; %" PRIu64 " reconnections refused", attempts);
    std::printf("\ndaemon: CPU %.2f s (user %.2f, system %.2f) from replay start to last catch-up (%.2f s: %.2f cores; "
                "%.2f us per delivered event), peak RSS %.1f MB\n",
                daemon_cpu_s, daemon_user_s, daemon_sys_s, window_s, daemon_cpu_s / window_s,
                events_total ? daemon_cpu_s * 1e6 / static_cast<double>(events_total) : 0.0, static_cast<double>(peak_rss) / 1024);
    std::printf("night_bench: CPU %.2f s (epoll threads %.2f s) over the same window\n",
                static_cast<double>(self1 - self0) / 1e6, static_cast<double>(gen_thread_us) / 1e6);
    std::printf("checks: final seq %" PRIu64 " (offline) vs %" PRIu64 " (daemon); %zu distinct last scoreboards among "
                "subscribers; /v1/scoreboard %s `replay --summary`; %d witness subscriber(s) compared every event\n",
                off.final_seq, final_seq, scoreboards.size(), live_summary == off.summary ? "==" : "!=",
                std::min(o.witnesses, o.subs));
    const bool pass = failures.empty();
    std::printf("RESULT subs=%d events=%" PRIu64 " replay_s=%.3f catchup_s=%.3f drain_s=%.3f frames=%" PRIu64
                " deliveries=%" PRIu64 " resumes=%" PRIu64 " daemon_cpu_s=%.2f daemon_sys_s=%.2f daemon_cores=%.2f"
                " peak_rss_mb=%.1f gen_cpu_s=%.2f pass=%d\n",
                o.subs, off.final_seq, replay_s, last_catchup, last_catchup - replay_s, frames, events_total, resumes,
                daemon_cpu_s, daemon_sys_s, daemon_cpu_s / window_s, static_cast<double>(peak_rss) / 1024,
                static_cast<double>(self1 - self0) / 1e6, pass ? 1 : 0);
    std::printf("%s\n", pass ? "PASS" : ("FAIL (" + std::to_string(failures.size()) + " problems above)").c_str());
    std::fflush(stdout);
    return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    Options o;
    po::options_description opts(
        "night_bench: replays the generated default night (declared generate --seed 2026 --test) into a\n"
        "fresh `declared serve` at --speed max with N subscribers on /v1/feed, and checks that every\n"
        "subscriber ends with the offline replay's final seq and scoreboard. Exit 0: PASS.\n\nOptions");
    opts.add_options()
        ("help,h", "this help")
        ("declared", po::value(&o.declared)->default_value(DECLARED_BINARY), "the declared executable")
        ("subs", po::value(&o.subs)->default_value(1000), "subscribers (0: the replay alone)")
        ("threads", po::value(&o.threads)->default_value(1), "epoll threads for the subscribers")
        ("seed", po::value(&o.seed)->default_value("2026"), "seed of the generated night")
        ("night", po::value(&o.night), "a directory with card.json and declarations.jsonl instead")
        ("wait", po::value(&o.wait_s)->default_value(120), "seconds allowed after the replay for every subscriber")
        ("witnesses", po::value(&o.witnesses)->default_value(1), "the first K subscribers compare every event with the offline one")
        ("work", po::value(&o.work), "work directory (default: a new one in /tmp, removed after a PASS)")
        ("keep", po::bool_switch(&o.keep), "keep the work directory")
        ("serve-arg", po::value(&o.serve_args)->composing(), "an argument passed on to `declared serve` (repeatable)");
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        if (vm.count("help")) return std::cout << opts << '\n', 0;
        po::notify(vm);
    } catch (const po::error& e) {
        return std::cerr << "night_bench: " << e.what() << '\n' << opts << '\n', 2;
    }
    if (o.subs < 0 || o.threads < 1 || (o.subs > 0 && o.threads > o.subs) || o.wait_s <= 0)
        return std::cerr << "night_bench: --subs >= 0, 1 <= --threads <= --subs, --wait > 0\n", 2;
    if (::access(o.declared.c_str(), X_OK) != 0) die("no declared executable at " + o.declared + " (--declared PATH)");
    // Each subscriber is a descriptor here and one in the daemon (which inherits the limit).
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < rl.rlim_max) rl.rlim_cur = rl.rlim_max, setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < static_cast<rlim_t>(o.subs) + 64)
        die("RLIMIT_NOFILE " + std::to_string(rl.rlim_cur) + " is too low for " + std::to_string(o.subs) + " subscribers");
    signal(SIGPIPE, SIG_IGN);
    const bool temp = o.work.empty();
    if (temp) {
        char tmpl[] = "/tmp/night_bench.XXXXXX";
        if (!::mkdtemp(tmpl)) die("mkdtemp");
        o.work = tmpl;
    } else {
        fs::create_directories(o.work);
    }
    const int rc = run(o);
    if (temp && !o.keep && rc == 0) fs::remove_all(o.work);
    else std::printf("work directory kept: %s\n", o.work.c_str());
    return rc;
}
