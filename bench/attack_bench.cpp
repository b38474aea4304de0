// attack_bench: how /healthz and authenticated ingest fare while strangers
// try to exhaust the daemon (issue 9's exhaustion cases), on loopback only and
// bounded in count and time. It starts the real daemon, then runs each attack
// for --seconds while a prober asks /healthz every 50 ms, on the main port and
// on the health port (--health.listen, its own thread) side by side, and POSTs
// one declaration with the ingest token every 250 ms, and prints, per attack,
// the probes' latencies. Not a test: the numbers go to BENCHMARKS.md.
//
//   attack_bench [--seconds S] [--scale K] [--only N]
//
// --only N runs the baseline and attack N alone (1 to 4, in the table's
// order); the daemon's pid goes to stderr, for a profiler.
//
// The attackers come from many loopback addresses (127.0.0.2 and up), so
// per-address limits alone do not stop them: the reserve and the deadlines
// must.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A connected socket from 127.0.0.<host> to the daemon, or -1.
int attacker_socket(int port, int host) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl((127u << 24) | static_cast<unsigned>(host));
    int small = 4096;  // a reader that never reads stops the sender soon
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 || !connect_loopback(fd, port)) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const std::string& bytes) {
    return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

struct Attack {
    std::string name;
    int sockets;
    std::string first_bytes;  // sent once on each socket, then silence
};

struct Probes {
    std::vector<double> health_ms, port_ms, ingest_ms;  // main port, health port, ingest
    int health_failed = 0, port_failed = 0, ingest_failed = 0;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

Probes probe(Daemon& d, int health_port, std::chrono::seconds length, int& revision) {
    Probes p;
    const auto end = Clock::now() + length;
    auto next_post = Clock::now();
    bool main_first = true;
    while (Clock::now() < end) {
        auto t0 = Clock::now();
        auto ask = [](int port, std::vector<double>& ms, int& failed) {
            const auto t = Clock::now();
            if (request(port, "GET", "/healthz", {}, {}, 5s).status == 200) ms.push_back(ms_since(t));
            else ++failed;
        };
        // Alternate which port goes first, so neither always waits on the other.
        if (main_first) ask(d.port(), p.health_ms, p.health_failed), ask(health_port, p.port_ms, p.port_failed);
        else ask(health_port, p.port_ms, p.port_failed), ask(d.port(), p.health_ms, p.health_failed);
        main_first = !main_first;
        if (Clock::now() >= next_post) {
            next_post += 250ms;
            t0 = Clock::now();
            auto r = d.post(gen_declaration(revision % 40, revision / 40 + 1), "application/json");
            ++revision;
            if (r.status == 200) p.ingest_ms.push_back(ms_since(t0));
            else ++p.ingest_failed;
        }
        std::this_thread::sleep_until(t0 + 50ms);
    }
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = 8, scale = 1, only = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--seconds") seconds = std::atoi(argv[i + 1]);
        else if (a == "--scale") scale = std::atoi(argv[i + 1]);
        else if (a == "--only") only = std::atoi(argv[i + 1]);
        else return std::fprintf(stderr, "usage: attack_bench [--seconds S] [--scale K] [--only N]\n"), 2;
    }
    rlimit nofile{};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);

    // The shipped defaults, except a request timeout long enough that no
    // attacker is let go during a phase by it alone.
    Daemon d{generated_card(40), {"--limits.request_timeout_ms", "30000", "--health.listen", "127.0.0.1:0"}};
    if (!d.start()) return std::fprintf(stderr, "the daemon did not start:\n%s\n", d.process.log().c_str()), 1;
    const std::string log = d.process.log();
    const std::string said = "health on http://127.0.0.1:";
    const auto at = log.find(said);
    if (at == std::string::npos) return std::fprintf(stderr, "no health port in the log:\n%s\n", log.c_str()), 1;
    const int health_port = std::atoi(log.c_str() + at + said.size());
    std::fprintf(stderr, "daemon pid %d\n", static_cast<int>(d.process.pid()));
    // Pages worth reading: a few thousand events.
    std::string night;
    for (int rev = 1; rev <= 60; ++rev)
        for (int w = 0; w < 40; ++w) night += gen_declaration(w, rev) + "\n";
    if (d.post(night).status != 200) return std::fprintf(stderr, "could not post the night\n"), 1;
    int revision = 40 * 61;

    const std::string upgrade = format_request(
        "GET", "/v1/feed?since=0",
        {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
         {"Sec-WebSocket-Version", "13"}},
        {}, true);
    const std::vector<Attack> attacks{
        {"none (baseline)", 0, ""},
        {"silent sockets", 1100 * scale, ""},
        {"readers that never read 10,000-event pages", 300 * scale,
         format_request("GET", "/v1/events?since=0&limit=10000", {}, {}, true)},
        {"unauthenticated 1 MB bodies, trickled", 300 * scale,
         "POST /v1/declarations HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 1000000\r\n\r\n" +
             std::string(100, 'x')},
        {"subscribers that never read", 2000 * scale, upgrade},
    };

    std::printf("| attack | sockets opened | /healthz, main port: p50 / p99 / max (ms) | failed | /healthz, health port: p50 / p99 / max (ms) | failed | ingest p50 / p99 (ms) | ingest failed |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (std::size_t k = 0; k < attacks.size(); ++k) {
        if (only && k != 0 && k != static_cast<std::size_t>(only)) continue;
        const Attack& attack = attacks[k];
        std::vector<int> fds;
        std::atomic<bool> done{false};
        // The attackers open their sockets while the prober runs.
        std::thread opener([&] {
            for (int i = 0; i < attack.sockets && !done; ++i) {
                const int fd = attacker_socket(d.port(), 2 + i % 200);
                if (fd < 0) continue;
                if (!attack.first_bytes.empty()) send_all(fd, attack.first_bytes);
                fds.push_back(fd);
            }
        });
        const auto p = probe(d, health_port, std::chrono::seconds(seconds), revision);
        done = true;
        opener.join();
        std::printf("| %s | %zu | %.1f / %.1f / %.1f | %d of %zu | %.1f / %.1f / %.1f | %d of %zu | %.1f / %.1f | %d of %zu |\n",
                    attack.name.c_str(), fds.size(), percentile(p.health_ms, 0.5), percentile(p.health_ms, 0.99),
                    percentile(p.health_ms, 1.0), p.health_failed, p.health_ms.size() + p.health_failed,
                    percentile(p.port_ms, 0.5), percentile(p.port_ms, 0.99), percentile(p.port_ms, 1.0), p.port_failed,
                    p.port_ms.size() + p.port_failed,
                    percentile(p.ingest_ms, 0.5), percentile(p.ingest_ms, 0.99), p.ingest_failed,
                    p.ingest_ms.size() + p.ingest_failed);
        std::fflush(stdout);
        for (int fd : fds) ::close(fd);
        // Let the daemon see them go before the next attack.
        std::this_thread::sleep_for(1s);
    }
    d.process.terminate();
    return 0;
}
