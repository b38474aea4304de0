#include "ingest/metrics.hpp"

#include <fmt/format.h>

namespace declared {

void Histogram::observe(double seconds) {
    std::lock_guard lock(mutex_);
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    ++buckets_[i];
    sum_ += seconds;
    ++count_;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view help) const {
    std::lock_guard lock(mutex_);
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        cumulative += buckets_[i];
        out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, kBounds[i], cumulative);
    }
    cumulative += buckets_.back();
    out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, cumulative, name, sum_, name,
                       count_);
}

void Metrics::rejected(std::string_view reason) {
    std::lock_guard lock(mutex_);
    auto it = rejected_.find(reason);
    if (it == rejected_.end()) it = rejected_.emplace(std::string(reason), 0).first;
    ++it->second;
}

std::map<std::string, std::uint64_t> Metrics::rejected_by_reason() const {
    std::lock_guard lock(mutex_);
    return {rejected_.begin(), rejected_.end()};
}

void render_counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
}

void render_gauge(std::string& out, std::string_view name, std::string_view help, double value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
}

}  // namespace declared
