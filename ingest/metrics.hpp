#pragma once
// Counters and histograms for /metrics, written in the Prometheus text format
// (version 0.0.4). Debian ships no C++ Prometheus client, and the format is a
// few lines of text; everything here is thread-safe.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace declared {

class Histogram {
public:
    static constexpr std::array<double, 13> kBounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,    0.1,    0.25,  0.5,    1.0};
    void observe(double seconds);
    // Appends the _bucket/_sum/_count lines for `name`.
    void render(std::string& out, std::string_view name, std::string_view help) const;

private:
    mutable std::mutex mutex_;
    std::array<std::uint64_t, kBounds.size() + 1> buckets_{};
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

struct Metrics {
    std::atomic<std::uint64_t> accepted{0};    // declarations applied (fresh or correction)
    std::atomic<std::uint64_t> corrections{0};
    std::atomic<std::uint64_t> desk_actions{0};  // desk actions applied
    std::atomic<std::uint64_t> duplicates{0};
    std::atomic<std::uint64_t> stale{0};
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::uint64_t> http_requests{0};
    Histogram ingest_latency;  // receipt to acknowledgement (journal durable)
    Histogram journal_sync;    // each group commit's sync

    void rejected(std::string_view reason);
    std::map<std::string, std::uint64_t> rejected_by_reason() const;

    // Components with counts of their own (webhooks) add their lines to
    // /metrics here; each renderer appends whole metric families. Register
    // before serving; renderers must outlive the Metrics' readers.
    void add_renderer(std::function<void(std::string&)> render);
    void render_extra(std::string& out) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> rejected_;
    std::vector<std::function<void(std::string&)>> renderers_;
};

// Prometheus text helpers.
void render_counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t value);
void render_gauge(std::string& out, std::string_view name, std::string_view help, double value);
// One family with a sample per label value: name{label="value"} number.
void render_labelled(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                     std::string_view label, const std::vector<std::pair<std::string, double>>& samples);

}  // namespace declared
