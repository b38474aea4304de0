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

void Metrics::add_renderer(std::function<void(std::string&)> render) {
    std::lock_guard lock(mutex_);
    renderers_.push_back(std::move(render));
}

void Metrics::render_extra(std::string& out) const {
    std::lock_guard lock(mutex_);
    for (const auto& r : renderers_) r(out);
}

void render_labelled(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                     std::string_view label, const std::vector<std::pair<std::string, double>>& samples) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (const auto& [value, n] : samples) out += fmt::format("{}{{{}=\"{}\"}} {}\n", name, label, value, n);
}

void render_counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
}

void render_gauge(std::string& out, std::string_view name, std::string_view help, double value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
}

}  // namespace declared
