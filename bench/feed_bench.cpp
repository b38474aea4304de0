// feed_bench: live-feed fan-out, measured from outside with a lean epoll
// WebSocket load generator (no Beast, no Node: raw sockets, one read per ready
// socket, frames parsed in place). Not a test: numbers go to BENCHMARKS.md;
// bench/feed_bench.sh runs it against `declared serve` and nginx+nchan. The
// client, the HTTP publisher and the /proc readings are in ws_load.{hpp,cpp}.
//
//   feed_bench night --out DIR --events N
//       a card with one council of N mayoral contests, and N declarations:
//       each declaration causes a ward_declared event (~620 bytes: short ids,
//       one candidate; about the smallest event the daemon emits) and the
//       scoreboard after it, so runs on it take `--per 2`.
//   feed_bench run --server declared|nchan --port P [--port P...] [--post-port P] --pid PID [--pid PID...]
//       [--subs N] [--threads T] [--procs N] [--rate R] [--steady-events K] [--burst B]
//       [--saturation E] [--batch N] [--per E] [--token T] [--declarations FILE]
//       [--payloads FILE] [--save-events FILE] [--path /v1/feed] [--sse]
//       connects N subscribers (spread over the --ports by generator thread:
//       the edges of a cluster), then runs three phases on the same connections
//       (published to --post-port, the first --port by default):
//       steady (K events at R/s), burst (B events as fast as possible),
//       saturation (E events as fast as possible); counts and rates are in
//       events, and each declaration makes --per of them. declared: events are made
//       by POSTing declarations (--batch per request in burst/saturation);
//       nchan: the payload lines (the daemon's own event bytes, saved with
//       --save-events from a declared run) are POSTed one per request.
//   feed_bench deflate [--streams N] [--payload FILE]
//       what per-connection permessage-deflate would cost (Beast's zlib, the
//       settings Beast's websocket uses): memory per stream, CPU per message.
//
// Every event line carries "seq"; the publisher records when each seq was
// sent, so latency is publish (POST written) to receipt (frame read). A
// subscriber has lost nothing when it saw every seq once, in order.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/beast/zlib/deflate_stream.hpp>

#include "ws_load.hpp"

namespace {

using ws_load::die;
using ws_load::now_ns;
using ws_load::percentile;
using ws_load::proc_cpu_us;
using ws_load::proc_rss_kb;
using ws_load::read_lines;

// ---- options ----------------------------------------------------------------

struct Options {
    std::string server = "declared";
    std::vector<int> ports;  // subscribers, spread over them by generator thread
    int post_port = 0;       // where events are published; 0: the first port
    std::vector<int> pids;
    std::string path;  // subscriber path
    bool sse = false;  // subscribe to the event stream (SSE) instead of the WebSocket feed
    std::string pub_path;
    int subs = 10'000;
    int threads = 1;
    double rate = 10;
    int steady = 150;
    int burst = 200;
    int saturation = 300;
    int batch = 200;  // declarations per POST in burst and saturation (declared)
    int per = 1;      // events each declaration causes (each publish of nchan's payload lines)
    int procs = 1;    // generator processes the threads are spread over
    std::string token = "bench";
    std::string declarations, payloads, save_events;
    double phase_timeout = 30;  // seconds to wait for every subscriber after the last publish
};

// ---- the generator: subscribers on epoll threads (ws_load::Clients) ----------
//
// The subscribers live in generator processes forked by the controller
// (--procs, one by default), since one process holds at most RLIMIT_NOFILE
// sockets (20,000 on the benchmark machine). What the controller reads is in
// one anonymous shared mapping made before the fork: each thread's counters
// and latencies, and when each seq was published.

constexpr int kPhases = 3;
const char* const kPhaseNames[kPhases] = {"steady", "burst", "saturation"};

// One generator thread's results. Its own counters are written by the thread;
// the client's (ready, failed, closed, errors, CPU) are copied by its process
// every few milliseconds. first_error is read only after the process ended.
struct ThreadStats {
    std::atomic<std::uint64_t> events{0}, gaps{0}, dups{0};
    std::atomic<int> done[kPhases] = {};
    std::atomic<std::int64_t> last_done_ns[kPhases] = {};
    std::atomic<std::uint64_t> latencies[kPhases] = {};  // entries of lat[p] written
    std::uint32_t* lat[kPhases] = {};                    // µs from publish to receipt, per delivery
    std::uint64_t lat_cap[kPhases] = {};
    std::atomic<int> ready{0}, failed{0};
    std::atomic<std::uint64_t> closed{0}, errors{0};
    std::atomic<std::int64_t> cpu_us{0};
    char first_error[240] = {};
};

// The bench's state: configuration set before the fork (copied into each
// generator) and pointers into the shared mapping.
struct Shared {
    std::uint64_t phase_end[kPhases] = {};  // last seq of each phase
    bool declared = true;
    std::vector<std::string> handshakes;  // by port
    std::vector<sockaddr_in> addrs;
    int save_fd = -1;  // first subscriber's event lines go here
    // In the mapping:
    std::atomic<std::int64_t>* sent_ns = nullptr;  // by seq: when its publish was written
    std::size_t sent_size = 0;
    ThreadStats* threads = nullptr;
    std::atomic<bool>* stop = nullptr;
};

int thread_subs(const Options& o, int w) { return o.subs / o.threads + (w < o.subs % o.threads ? 1 : 0); }

// Lays the shared part out in one MAP_SHARED mapping; it is never unmapped
// (the bench ends with it).
void map_shared(const Options& o, Shared& s, std::size_t seqs) {
    auto align = [](std::size_t n) { return (n + 63) & ~std::size_t{63}; };
    std::size_t bytes = align(sizeof(std::atomic<bool>)) + align(seqs * sizeof(std::atomic<std::int64_t>)) +
                        align(static_cast<std::size_t>(o.threads) * sizeof(ThreadStats));
    const int counts[kPhases] = {o.steady, o.burst, o.saturation};
    for (int w = 0; w < o.threads; ++w)
        for (int p = 0; p < kPhases; ++p)
            bytes += align(static_cast<std::size_t>(thread_subs(o, w)) * static_cast<std::size_t>(counts[p]) * 4);
    void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) die("mmap of " + std::to_string(bytes) + " shared bytes failed");
    char* at = static_cast<char*>(m);
    auto take = [&](std::size_t n) { char* r = at; at += align(n); return r; };
    s.stop = new (take(sizeof(std::atomic<bool>))) std::atomic<bool>(false);
    s.sent_size = seqs;
    s.sent_ns = reinterpret_cast<std::atomic<std::int64_t>*>(take(seqs * sizeof(std::atomic<std::int64_t>)));
    for (std::size_t i = 0; i < seqs; ++i) new (&s.sent_ns[i]) std::atomic<std::int64_t>(0);
    s.threads = reinterpret_cast<ThreadStats*>(take(static_cast<std::size_t>(o.threads) * sizeof(ThreadStats)));
    for (int w = 0; w < o.threads; ++w) {
        ThreadStats* t = new (&s.threads[w]) ThreadStats;
        for (int p = 0; p < kPhases; ++p) {
            t->lat_cap[p] = static_cast<std::uint64_t>(thread_subs(o, w)) * static_cast<std::uint64_t>(counts[p]);
            t->lat[p] = reinterpret_cast<std::uint32_t*>(take(t->lat_cap[p] * 4));
        }
    }
}

// What the bench tracks per connection, beside the client's own state.
struct Sub {
    bool in_snapshot = false;  // inside the snapshot message: its lines are state, not live events
    bool saver = false;
    std::uint8_t done = 0;  // bit p: has every event of phase p
    std::uint64_t last_seq = 0;
};

// Ready: upgraded (nchan) / hello and snapshot received (declared).
class Worker : public ws_load::Clients {
public:
    Worker(const Shared* s, int index_, int nconns)
        : Clients(s->addrs[static_cast<std::size_t>(index_) % s->addrs.size()], nconns), shared(s), index(index_),
          st(s->threads[index_]), subs(static_cast<std::size_t>(nconns)) {}
    const Shared* shared;
    int index;
    ThreadStats& st;
    std::vector<Sub> subs;
    std::thread thread;

    void mirror() {  // the client's counters into the mapping (on the process's main thread)
        st.ready.store(ready.load());
        st.failed.store(failed.load());
        st.closed.store(closed.load());
        st.errors.store(errors.load());
        timespec ts;
        if (clock_gettime(cpu_clock, &ts) == 0) st.cpu_us.store(ts.tv_sec * 1'000'000LL + ts.tv_nsec / 1000);
        if (!st.first_error[0]) std::snprintf(st.first_error, sizeof st.first_error, "%s", first_error().c_str());
    }

private:
    std::string request(int) override { return shared->handshakes[static_cast<std::size_t>(index) % shared->handshakes.size()]; }
    void on_upgraded(int i) override {
        if (!shared->declared) set_ready(i);
    }
    void on_lines(int i, const char* p, std::size_t n, bool start, std::int64_t t) override;
    void on_event(Sub& c, std::uint64_t seq, std::int64_t t);
};

void Worker::on_event(Sub& c, std::uint64_t seq, std::int64_t t) {
    if (seq <= c.last_seq) return void(st.dups.fetch_add(1, std::memory_order_relaxed));
    if (seq != c.last_seq + 1) st.gaps.fetch_add(1, std::memory_order_relaxed);
    c.last_seq = seq;
    st.events.fetch_add(1, std::memory_order_relaxed);
    int p = 0;
    while (p < kPhases - 1 && seq > shared->phase_end[p]) ++p;
    if (seq < shared->sent_size) {
        const std::int64_t s = shared->sent_ns[seq].load(std::memory_order_acquire);
        const std::uint64_t n = st.latencies[p].load(std::memory_order_relaxed);
        if (s > 0 && n < st.lat_cap[p]) {
            st.lat[p][n] = static_cast<std::uint32_t>(std::max<std::int64_t>(0, (t - s) / 1000));
            st.latencies[p].store(n + 1, std::memory_order_release);
        }
    }
    if (seq >= shared->phase_end[p] && !(c.done & (1u << p))) {
        c.done |= static_cast<std::uint8_t>(1u << p);
        std::int64_t prev = st.last_done_ns[p].load(std::memory_order_relaxed);
        while (prev < t && !st.last_done_ns[p].compare_exchange_weak(prev, t)) {
        }
        st.done[p].fetch_add(1, std::memory_order_release);
    }
}

void Worker::on_lines(int i, const char* p, std::size_t n, bool start, std::int64_t t) {
    // One or more JSON lines. Events begin {"seq":N (the daemon's envelope and
    // the same bytes through nchan); control messages begin {"type":.
    Sub& c = subs[static_cast<std::size_t>(i)];
    const char* end = p + n;
    if (start) c.in_snapshot = false;
    while (p < end) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        const char* line_end = nl ? nl : end;
        std::string_view line(p, static_cast<std::size_t>(line_end - p));
        if (line.starts_with("{\"seq\":")) {
            if (!c.in_snapshot) {
                on_event(c, std::strtoull(line.data() + 7, nullptr, 10), t);
                if (c.saver) {
                    std::string copy(line);
                    copy += '\n';
                    if (::write(shared->save_fd, copy.data(), copy.size()) < 0) errors.fetch_add(1);
                }
            }
        } else if (line.starts_with("{\"type\":\"snapshot\"")) {
            c.in_snapshot = true;
            set_ready(i);
        } else if (line.starts_with("{\"type\":\"hello\"")) {
            auto at = line.find("\"seq\":");
            if (at != std::string_view::npos) c.last_seq = std::strtoull(line.data() + at + 6, nullptr, 10);
        } else if (!line.starts_with("{\"type\":\"heartbeat\"")) {
            errors.fetch_add(1, std::memory_order_relaxed);
        }
        p = line_end + 1;
    }
}

// A generator process: threads proc, proc+procs, ... until the controller
// sets stop. It dies with the controller.
[[noreturn]] void generate(const Options& o, const Shared& shared, int proc) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::vector<std::unique_ptr<Worker>> workers;
    for (int w = proc; w < o.threads; w += o.procs) {
        auto wk = std::make_unique<Worker>(&shared, w, thread_subs(o, w));
        if (o.sse) wk->use_event_stream();
        if (w == 0 && shared.save_fd >= 0 && wk->size() > 0) wk->subs[0].saver = true;
        workers.push_back(std::move(wk));
    }
    for (auto& wk : workers) wk->thread = std::thread([w = wk.get(), &shared] { w->run(*shared.stop); });
    while (!shared.stop->load()) {
        for (auto& wk : workers) wk->mirror();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& wk : workers) wk->thread.join();
    for (auto& wk : workers) wk->mirror();
    std::_Exit(0);
}

std::int64_t server_cpu_us(const Options& o) {
    std::int64_t sum = 0;
    for (int pid : o.pids) sum += proc_cpu_us(pid);
    return sum;
}

std::int64_t server_rss_kb(const Options& o) {
    std::int64_t sum = 0;
    for (int pid : o.pids) sum += proc_rss_kb(std::to_string(pid));
    return sum;
}

int run(const Options& o) {
    if (o.ports.empty() || o.pids.empty()) die("run needs --port and --pid");
    if (o.threads < static_cast<int>(o.ports.size())) die("run needs at least one --threads per --port");
    if (o.procs < 1 || o.threads < o.procs) die("run needs at least one --threads per --procs");
    const bool declared = o.server == "declared";
    std::vector<std::string> sources = read_lines(declared ? o.declarations : o.payloads);
    const std::size_t total = static_cast<std::size_t>(o.steady + o.burst + o.saturation);
    const std::size_t per = static_cast<std::size_t>(o.per);
    if (o.steady % o.per || o.burst % o.per || o.saturation % o.per)
        die("each phase's event count must be a multiple of --per " + std::to_string(o.per));
    // A declaration causes `per` events; nchan publishes the same `per` event lines for it.
    if (sources.size() < (declared ? total / per : total))
        die("need " + std::to_string(declared ? total / per : total) + " lines in " +
            (declared ? o.declarations : o.payloads));

    Shared shared;
    shared.declared = declared;
    const std::string path = !o.path.empty() ? o.path : o.sse ? "/v1/events/stream" : declared ? "/v1/feed" : "/sub";
    for (int port : o.ports) {
        shared.addrs.push_back(ws_load::loopback(port));
        shared.handshakes.push_back(o.sse ? ws_load::event_stream_request(path, port) : ws_load::upgrade_request(path, port));
    }
    map_shared(o, shared, total + 2);
    // Seqs on a fresh daemon (and in the saved payloads) start at 1.
    shared.phase_end[0] = static_cast<std::uint64_t>(o.steady);
    shared.phase_end[1] = shared.phase_end[0] + static_cast<std::uint64_t>(o.burst);
    shared.phase_end[2] = shared.phase_end[1] + static_cast<std::uint64_t>(o.saturation);
    if (!o.save_events.empty()) {
        shared.save_fd = ::open(o.save_events.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (shared.save_fd < 0) die("cannot write " + o.save_events);
    }

    std::printf("# %s on 127.0.0.1 port(s)", o.server.c_str());
    for (int port : o.ports) std::printf(" %d", port);
    std::printf("%s, published to %d, %d subscribers, %d generator thread(s) in %d process(es), pid(s)", path.c_str(),
                o.post_port ? o.post_port : o.ports.front(), o.subs, o.threads, o.procs);
    for (int pid : o.pids) std::printf(" %d", pid);
    std::printf("\n");
    std::fflush(stdout);

    const std::int64_t rss0 = server_rss_kb(o);
    const std::int64_t t_connect = now_ns();
    // No thread of ours exists yet: safe to fork.
    std::vector<pid_t> generators;
    for (int proc = 0; proc < o.procs; ++proc) {
        const pid_t pid = ::fork();
        if (pid < 0) die("fork failed");
        if (pid == 0) generate(o, shared, proc);
        generators.push_back(pid);
    }
    auto stop_generators = [&] {
        shared.stop->store(true);
        for (pid_t pid : generators) ::waitpid(pid, nullptr, 0);
        generators.clear();
    };
    auto generator_cpu_us = [&] {
        std::int64_t s = 0;
        for (pid_t pid : generators) s += proc_cpu_us(pid);
        return s;
    };
    auto sum = [&](auto field) {
        std::uint64_t s = 0;
        for (int w = 0; w < o.threads; ++w) s += static_cast<std::uint64_t>((shared.threads[w].*field).load());
        return s;
    };
    auto first_errors = [&](const char* what) {
        for (int w = 0; w < o.threads; ++w)
            if (shared.threads[w].first_error[0]) std::printf("%s (thread %d): %s\n", what, w, shared.threads[w].first_error);
    };
    // Connect everyone.
    for (;;) {
        std::uint64_t r = sum(&ThreadStats::ready), f = sum(&ThreadStats::failed);
        if (r + f >= static_cast<std::uint64_t>(o.subs)) break;
        if (now_ns() - t_connect > 120'000'000'000LL) stop_generators(), die("subscribers still connecting after 120 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const double connect_s = static_cast<double>(now_ns() - t_connect) / 1e9;
    std::uint64_t connected = sum(&ThreadStats::ready);
    if (connected < static_cast<std::uint64_t>(o.subs)) {
        stop_generators();
        first_errors("first failure");
        die(std::to_string(o.subs - static_cast<int>(connected)) + " subscribers failed to connect");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // let allocations settle
    const std::int64_t rss1 = server_rss_kb(o);
    const double mem_per_sub = static_cast<double>(rss1 - rss0) * 1024.0 / o.subs;
    std::printf("connected %d subscribers in %.2f s; server RSS %" PRId64 " -> %" PRId64
                " KB: %.0f bytes per idle subscriber\n",
                o.subs, connect_s, rss0, rss1, mem_per_sub);

    ws_load::HttpClient pub(ws_load::loopback(o.post_port ? o.post_port : o.ports.front()), declared ? o.token : std::string());
    std::size_t next = 0;  // next declaration; its events are seqs next*per+1 .. (next+1)*per
    auto publish = [&](std::size_t count) {  // count declarations
        const std::int64_t t = now_ns();
        for (std::size_t s = next * per + 1; s <= (next + count) * per; ++s)
            shared.sent_ns[s].store(t, std::memory_order_release);
        if (declared) {
            std::string body;
            for (std::size_t k = 0; k < count; ++k) body += sources[next + k], body += '\n';
            auto answer = pub.post("/v1/declarations", count == 1 ? "application/json" : "application/x-ndjson", body);
            // Each declaration must have caused exactly the `per` events whose seqs we assumed.
            std::size_t at = 0;
            for (std::size_t k = 0; k < count; ++k) {
                at = answer.find("\"seqs\":[", at);
                if (at == std::string::npos) die("declared answered without seqs: " + answer.substr(0, 300));
                at += 8;
                const std::size_t close = answer.find(']', at);
                std::string expected;
                for (std::size_t s = (next + k) * per + 1; s <= (next + k + 1) * per; ++s)
                    expected += (expected.empty() ? "" : ",") + std::to_string(s);
                if (close == std::string::npos || answer.compare(at, close - at, expected) != 0)
                    die("seq mapping broken: expected [" + expected + "] in " + answer.substr(0, 300));
            }
        } else {
            for (std::size_t s = next * per; s < (next + count) * per; ++s) {
                if (s > next * per) shared.sent_ns[s + 1].store(now_ns(), std::memory_order_release);
                pub.post(o.pub_path.empty() ? "/pub" : o.pub_path, "application/json", sources[s]);
            }
        }
        next += count;
    };

    struct PhaseResult {
        std::uint64_t deliveries = 0;
        double seconds = 0, publish_s = 0, drain_s = 0, cpu_us = 0, gen_cpu_us = 0, gen_thread_cpu_us = 0;
        double p50 = 0, p99 = 0, max = 0;
        std::uint64_t complete = 0;
    } res[kPhases];

    auto thread_cpu = [&] { return static_cast<std::int64_t>(sum(&ThreadStats::cpu_us)); };
    for (int p = 0; p < kPhases; ++p) {
        const int events_in_phase = p == 0 ? o.steady : p == 1 ? o.burst : o.saturation;
        if (events_in_phase == 0) continue;
        const int count = events_in_phase / o.per;  // declarations
        const std::uint64_t ev0 = sum(&ThreadStats::events);
        const std::int64_t cpu0 = server_cpu_us(o), gen0 = generator_cpu_us(), gt0 = thread_cpu();
        const std::int64_t t0 = now_ns();
        if (p == 0) {
            for (int k = 0; k < count; ++k) {
                const std::int64_t due = t0 + static_cast<std::int64_t>(1e9 * k * o.per / o.rate);
                const std::int64_t wait = due - now_ns();
                if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
                publish(1);
            }
        } else {
            const int step = declared ? std::max(1, o.batch) : 1;
            for (int k = 0; k < count; k += step) publish(static_cast<std::size_t>(std::min(step, count - k)));
        }
        const std::int64_t t_published = now_ns();
        // Wait for every subscriber to have the phase's last event.
        auto done_now = [&] {
            std::uint64_t d = 0;
            for (int w = 0; w < o.threads; ++w) d += static_cast<std::uint64_t>(shared.threads[w].done[p].load(std::memory_order_acquire));
            return d;
        };
        while (done_now() < connected) {
            if (now_ns() - t_published > static_cast<std::int64_t>(o.phase_timeout * 1e9)) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        std::int64_t last_done = 0;
        for (int w = 0; w < o.threads; ++w) last_done = std::max(last_done, shared.threads[w].last_done_ns[p].load());
        const std::int64_t t1 = now_ns();
        PhaseResult& r = res[p];
        r.cpu_us = static_cast<double>(server_cpu_us(o) - cpu0);
        r.gen_cpu_us = static_cast<double>(generator_cpu_us() - gen0);
        r.gen_thread_cpu_us = static_cast<double>(thread_cpu() - gt0);
        r.deliveries = sum(&ThreadStats::events) - ev0;
        for (int w = 0; w < o.threads; ++w) r.complete += static_cast<std::uint64_t>(shared.threads[w].done[p].load());
        r.seconds = static_cast<double>(t1 - t0) / 1e9;
        r.publish_s = static_cast<double>(t_published - t0) / 1e9;
        r.drain_s = static_cast<double>(std::max(last_done, t0) - t0) / 1e9;
        std::vector<std::uint32_t> lat;
        for (int w = 0; w < o.threads; ++w) {
            const ThreadStats& t = shared.threads[w];
            lat.insert(lat.end(), t.lat[p], t.lat[p] + t.latencies[p].load(std::memory_order_acquire));
        }
        r.p50 = percentile(lat, 0.50) / 1000.0;
        r.p99 = percentile(lat, 0.99) / 1000.0;
        r.max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()) / 1000.0;
        std::printf("%-10s %5d events published in %.3f s (%.1f/s); last subscriber complete after %.3f s; %" PRIu64
                    " deliveries (%.0f/s over the drain); %" PRIu64 "/%" PRIu64
                    " subscribers complete\n           server CPU %.0f ms = %.2f us/delivery; latency p50 %.1f ms "
                    "p99 %.1f ms max %.1f ms; generator CPU %.0f ms (%.2f us/delivery, epoll threads %.0f%% of the drain)\n",
                    kPhaseNames[p], events_in_phase, r.publish_s, r.publish_s > 0 ? events_in_phase / r.publish_s : 0.0, r.drain_s, r.deliveries,
                    r.drain_s > 0 ? static_cast<double>(r.deliveries) / r.drain_s : 0.0, r.complete, connected,
                    r.cpu_us / 1000, r.deliveries ? r.cpu_us / static_cast<double>(r.deliveries) : 0.0, r.p50, r.p99,
                    r.max, r.gen_cpu_us / 1000, r.deliveries ? r.gen_cpu_us / static_cast<double>(r.deliveries) : 0.0,
                    r.drain_s > 0 ? 100.0 * r.gen_thread_cpu_us / 1e6 / r.drain_s / o.threads : 0.0);
        std::fflush(stdout);
        // A pause between phases (a real idle gap: heartbeats may go out here, outside any measurement).
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    stop_generators();  // their counters are final from here
    const std::uint64_t gaps = sum(&ThreadStats::gaps), dups = sum(&ThreadStats::dups),
                        closed = sum(&ThreadStats::closed), errors = sum(&ThreadStats::errors);
    bool lossless = gaps == 0 && dups == 0 && closed == 0;
    for (int p = 0; p < kPhases; ++p)  // phases that ran: every subscriber complete
        if ((p == 0 ? o.steady : p == 1 ? o.burst : o.saturation) > 0) lossless = lossless && res[p].complete == connected;
    std::printf("loss check: %" PRIu64 " gaps, %" PRIu64 " duplicates, %" PRIu64 " closed, %" PRIu64
                " unexpected frames: %s\n",
                gaps, dups, closed, errors, lossless ? "every subscriber got every event once, in order" : "LOSS");
    first_errors("first error");
    // One line for the script.
    std::printf("RESULT server=%s subs=%d threads=%d mem_per_sub=%.0f steady_us_per_delivery=%.3f steady_p50_ms=%.2f "
                "steady_p99_ms=%.2f steady_rate=%.1f burst_drain_s=%.3f burst_p99_ms=%.2f burst_us_per_delivery=%.3f "
                "sat_deliveries_per_s=%.0f sat_us_per_delivery=%.3f sat_cores=%.2f gen_us_per_delivery=%.3f "
                "gen_busy_pct=%.0f lossless=%d\n",
                o.server.c_str(), o.subs, o.threads, mem_per_sub,
                res[0].deliveries ? res[0].cpu_us / static_cast<double>(res[0].deliveries) : 0.0, res[0].p50,
                res[0].p99, res[0].publish_s > 0 ? o.steady / res[0].publish_s : 0.0, res[1].drain_s, res[1].p99,
                res[1].deliveries ? res[1].cpu_us / static_cast<double>(res[1].deliveries) : 0.0,
                res[2].drain_s > 0 ? static_cast<double>(res[2].deliveries) / res[2].drain_s : 0.0,
                res[2].deliveries ? res[2].cpu_us / static_cast<double>(res[2].deliveries) : 0.0,
                res[2].drain_s > 0 ? res[2].cpu_us / 1e6 / res[2].drain_s : 0.0,
                res[2].deliveries ? res[2].gen_thread_cpu_us / static_cast<double>(res[2].deliveries) : 0.0,
                res[2].drain_s > 0 ? 100.0 * res[2].gen_thread_cpu_us / 1e6 / res[2].drain_s / o.threads : 0.0,
                lossless ? 1 : 0);
    std::fflush(stdout);
    if (shared.save_fd >= 0) ::close(shared.save_fd);
    return lossless ? 0 : 3;
}

// ---- night: a card and declarations that make the same events each ------------
// (a mayoral result and the scoreboard after it: `--per 2`)

int night(const std::string& out, int events) {
    std::filesystem::create_directories(out);
    std::ofstream card(out + "/card.json"), decl(out + "/declarations.jsonl");
    card << R"({"format":"declared-card/1","election":{"id":"b","name":"Feed bench","date":"2026-05-07","test":false},)"
         << R"("parties":[{"code":"LAB","name":"Labour"},{"code":"CON","name":"Conservative"}],)"
         << R"("councils":[{"id":"c","name":"C","region":"NW","size":0,"composition":{},"wards":[],"mayors":[)";
    for (int i = 0; i < events; ++i) {
        char id[64];
        std::snprintf(id, sizeof id, "m%d", i);
        card << (i ? "," : "") << R"({"id":")" << id << R"(","name":"M)" << i << R"(","previous":"LAB"})";
        decl << R"({"id":")" << id << R"(","council":"c","ward":")" << id
             << R"(","revision":1,"declared_at":"2026-05-08T01:00:00Z","candidates":[{"name":"A","party":"LAB","elected":true}]})"
             << '\n';
    }
    card << "]}]}\n";
    return card && decl ? 0 : 1;
}

// ---- deflate: what per-connection permessage-deflate would cost ----------------

int deflate_cost(int streams, const std::string& payload_file) {
    namespace zlib = boost::beast::zlib;
    std::vector<std::string> payloads = payload_file.empty() ? std::vector<std::string>{} : read_lines(payload_file);
    if (payloads.empty())
        payloads.push_back(std::string(R"({"seq":1,"type":"ward_declared","text":"Benchton, Abbey: LAB HOLD","data":{)") +
                           std::string(500, 'x') + "}}");
    struct Setting {
        const char* name;
        int level, window, mem;
    } settings[] = {{"Beast permessage_deflate defaults (compLevel 8, window 15, memLevel 4)", 8, 15, 4},
                    {"zlib defaults (level 6, window 15, memLevel 8)", 6, 15, 8},
                    {"reduced (level 1, window 9, memLevel 1)", 1, 9, 1}};
    std::vector<char> out(64 * 1024);
    for (const auto& s : settings) {
        const std::int64_t rss0 = proc_rss_kb("self");
        std::vector<std::unique_ptr<zlib::deflate_stream>> ds;
        ds.reserve(static_cast<std::size_t>(streams));
        std::size_t in_bytes = 0, out_bytes = 0;
        auto compress = [&](zlib::deflate_stream& d, const std::string& msg) {
            zlib::z_params zs;
            zs.next_in = msg.data();
            zs.avail_in = msg.size();
            zs.next_out = out.data();
            zs.avail_out = out.size();
            boost::system::error_code ec;
            d.write(zs, zlib::Flush::sync, ec);  // what a websocket message ends with (context takeover)
            in_bytes += msg.size();
            out_bytes += out.size() - zs.avail_out;
        };
        for (int i = 0; i < streams; ++i) {
            ds.push_back(std::make_unique<zlib::deflate_stream>());
            ds.back()->reset(s.level, s.window, s.mem, zlib::Strategy::normal);
            compress(*ds.back(), payloads[static_cast<std::size_t>(i) % payloads.size()]);
        }
        const std::int64_t rss1 = proc_rss_kb("self");
        // Steady state: every connection compresses every message itself (its
        // own window differs), so this is per message per connection.
        in_bytes = out_bytes = 0;
        const int rounds = 20;
        const std::int64_t t0 = now_ns();
        for (int r = 0; r < rounds; ++r)
            for (int i = 0; i < streams; ++i)
                compress(*ds[static_cast<std::size_t>(i)], payloads[static_cast<std::size_t>(r + 1 + i) % payloads.size()]);
        const double ns = static_cast<double>(now_ns() - t0) / (static_cast<double>(rounds) * streams);
        std::printf("%s: %.1f KB per connection, %.2f us per message per connection, %zu -> %zu bytes (%.0f%%)\n",
                    s.name, static_cast<double>(rss1 - rss0) / streams, ns / 1000.0, in_bytes / (rounds * streams),
                    out_bytes / (rounds * streams), 100.0 * static_cast<double>(out_bytes) / static_cast<double>(in_bytes));
    }
    return 0;
}

int usage() {
    std::fprintf(stderr,
                 "usage: feed_bench night --out DIR --events N\n"
                 "       feed_bench run --server declared|nchan --port P [--port P] [--post-port P] --pid PID [--pid PID] [--subs N]\n"
                 "                  [--threads T] [--procs N] [--rate R] [--steady-events K] [--burst B] [--saturation E]\n"
                 "                  [--batch N] [--per E] [--token T] [--declarations FILE | --payloads FILE]\n"
                 "                  [--save-events FILE] [--path P] [--sse] [--pub-path P] [--phase-timeout S]\n"
                 "       feed_bench deflate [--streams N] [--payloads FILE]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    std::string cmd = argv[1];
    Options o;
    std::string out;
    int events = 0, streams = 2000;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) die("missing value after " + a);
            return argv[++i];
        };
        if (a == "--server") o.server = val();
        else if (a == "--port") o.ports.push_back(std::stoi(val()));
        else if (a == "--post-port") o.post_port = std::stoi(val());
        else if (a == "--pid") o.pids.push_back(std::stoi(val()));
        else if (a == "--subs") o.subs = std::stoi(val());
        else if (a == "--threads") o.threads = std::stoi(val());
        else if (a == "--rate") o.rate = std::stod(val());
        else if (a == "--steady-events") o.steady = std::stoi(val());
        else if (a == "--burst") o.burst = std::stoi(val());
        else if (a == "--saturation") o.saturation = std::stoi(val());
        else if (a == "--batch") o.batch = std::stoi(val());
        else if (a == "--per") o.per = std::stoi(val());
        else if (a == "--procs") o.procs = std::stoi(val());
        else if (a == "--token") o.token = val();
        else if (a == "--declarations") o.declarations = val();
        else if (a == "--payloads") o.payloads = val();
        else if (a == "--save-events") o.save_events = val();
        else if (a == "--path") o.path = val();
        else if (a == "--sse") o.sse = true;
        else if (a == "--pub-path") o.pub_path = val();
        else if (a == "--phase-timeout") o.phase_timeout = std::stod(val());
        else if (a == "--out") out = val();
        else if (a == "--events") events = std::stoi(val());
        else if (a == "--streams") streams = std::stoi(val());
        else die("unknown option " + a);
    }
    if (cmd == "night") return out.empty() || events <= 0 ? usage() : night(out, events);
    if (cmd == "run") {
        if (o.server != "declared" && o.server != "nchan") die("--server is declared or nchan");
        if (o.threads < 1 || o.subs < 1 || o.per < 1) return usage();
        signal(SIGPIPE, SIG_IGN);
        return run(o);
    }
    if (cmd == "deflate") return deflate_cost(streams, o.payloads);
    return usage();
}
