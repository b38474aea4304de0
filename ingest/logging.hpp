#pragma once
// Structured logs to stderr (journald adds its own timestamps under systemd),
// with a rate limit for errors a broken upstream would repeat.
#include <chrono>
#include <string>
#include <string_view>

namespace declared {

void setup_logging(std::string_view level);

// Lets one message through per interval; counts the rest and says how many
// were suppressed when the next one goes through.
class RateLimit {
public:
    explicit RateLimit(std::chrono::steady_clock::duration interval) : interval_(interval) {}
    // True when this occurrence should be logged; suppressed() says how many were skipped before it.
    bool allow();
    std::uint64_t suppressed() const { return reported_suppressed_; }

private:
    std::chrono::steady_clock::duration interval_;
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t suppressed_ = 0;
    std::uint64_t reported_suppressed_ = 0;
};

}  // namespace declared
