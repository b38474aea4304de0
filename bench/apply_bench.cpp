// apply_bench: how fast the tally applies a night's declarations, with every
// event serialized, and how much memory it holds. Not a test: numbers go to
// BENCHMARKS.md.
//
//   apply_bench CARD DECLARATIONS [--scale N] [--runs R] [--emit DIR]
//
// --emit DIR writes the (scaled) card and declarations there, for load tests
// of the daemon on a larger night.
// --scale N clones the night N times (councils and wards renamed) for a
// night N times larger. Each run builds a fresh tally and applies every
// declaration (assess + apply); parsing is measured separately.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"

using namespace declared;
using Clock = std::chrono::steady_clock;

namespace {

std::string slurp(const char* path) {
    std::ifstream in(path);
    if (!in) std::fprintf(stderr, "cannot read %s\n", path), std::exit(1);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

long rss_kb() {
    std::ifstream in("/proc/self/statm");
    long pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long peak_rss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

// Bytes allocated and not yet freed (glibc's count): what the tally holds,
// whatever pages malloc had already mapped for earlier runs.
std::size_t heap_in_use() { return mallinfo2().uordblks; }

std::string tag(const std::string& id, int k) {
    if (k == 0) return id;
    auto dot = id.rfind('.');  // before the date
    return id.substr(0, dot) + "-x" + std::to_string(k) + id.substr(dot);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return std::fprintf(stderr, "usage: apply_bench CARD DECLARATIONS [--scale N] [--runs R]\n"), 2;
    int scale = 1, runs = 7;
    std::string emit;
    for (int i = 3; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--scale") scale = std::atoi(argv[i + 1]);
        else if (a == "--runs") runs = std::atoi(argv[i + 1]);
        else if (a == "--emit") emit = argv[i + 1];
    }
    auto parsed_card = parse_card(slurp(argv[1]));
    if (!parsed_card.ok()) return std::fprintf(stderr, "card: %s\n", parsed_card.error.message().c_str()), 1;
    Card base = std::move(*parsed_card.value);
    Card card = base;
    card.councils.clear();
    for (int k = 0; k < scale; ++k)
        for (Council c : base.councils) {
            c.id = tag(c.id, k);
            c.name += k ? " " + std::to_string(k) : "";
            for (auto& w : c.wards) w.id = tag(w.id, k);
            for (auto& m : c.mayors) m.id = tag(m.id, k);
            card.councils.push_back(std::move(c));
        }
    card.index();

    const std::string text = slurp(argv[2]);
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < text.size();) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        if (end > pos) lines.emplace_back(text, pos, end - pos);
        pos = end + 1;
    }
    DeclarationParser parser;
    std::vector<Declaration> night;
    auto parse_start = Clock::now();
    for (int k = 0; k < scale; ++k)
        for (const auto& l : lines) {
            auto d = parser.parse(l);
            if (!d.ok()) return std::fprintf(stderr, "declaration: %s\n", d.error.message().c_str()), 1;
            d.value->council = tag(d.value->council, k);
            d.value->ward = tag(d.value->ward, k);
            night.push_back(std::move(*d.value));
        }
    double parse_s = std::chrono::duration<double>(Clock::now() - parse_start).count();
    if (!emit.empty()) {
        std::ofstream(emit + "/card.json") << card_to_json(card);
        std::ofstream out(emit + "/declarations.jsonl");
        for (const auto& d : night) out << declaration_to_json(d) << '\n';
        std::printf("wrote %s/card.json and %s/declarations.jsonl\n", emit.c_str(), emit.c_str());
    }

    std::vector<double> seconds;
    std::size_t events = 0, bytes = 0;
    long rss_before = 0, rss_after = 0;
    std::size_t heap_before = 0, heap_after = 0;
    for (int r = 0; r < runs; ++r) {
        std::vector<Declaration> batch = night;  // assess() normalises in place
        rss_before = rss_kb();
        heap_before = heap_in_use();
        auto t0 = Clock::now();
        Tally tally(card);
        auto start = tally.start();
        events = start.size();
        bytes = 0;
        std::string at;
        for (auto& d : batch) {
            if (!tally.assess(d).accepted()) return std::fprintf(stderr, "not accepted: %s\n", d.ward.c_str()), 1;
            at.assign(d.declared_at);  // d is moved into the tally
            auto evs = tally.apply(std::move(d), at);
            events += evs.size();
            for (const auto& e : evs) bytes += e.json->size();
        }
        seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        rss_after = rss_kb();
        heap_after = heap_in_use();  // the run's events are freed by now; the tally is not
    }
    double med = median(seconds);
    std::printf("night: %zu councils, %zu declarations (scale %d)\n", card.councils.size(), night.size(), scale);
    std::printf("apply (assess + apply + serialize), median of %d runs: %.2f ms, %.0f declarations/s, %.0f events/s\n",
                runs, med * 1e3, night.size() / med, events / med);
    std::printf("events: %zu, %.1f MB of JSON (%.0f bytes/event)\n", events, bytes / 1e6, double(bytes) / events);
    std::printf("parse (simdjson into Declaration): %.2f ms, %.0f declarations/s\n", parse_s * 1e3, night.size() / parse_s);
    std::printf("tally heap (held declarations, council states, scoreboard; events freed): %.1f MB, %.0f bytes per declaration\n",
                double(heap_after - heap_before) / 1e6, double(heap_after - heap_before) / double(night.size()));
    std::printf("resident memory growth over the last run: %+ld kB\n", rss_after - rss_before);
    std::printf("peak resident memory of the process: %ld kB\n", peak_rss_kb());
    return 0;
}
