#include "ingest/embargo_timer.hpp"

#include <cstdio>
#include <ctime>

namespace declared {

std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& t) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6 || consumed != 19)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t secs = timegm(&tm);
    if (secs == static_cast<std::time_t>(-1)) return std::nullopt;
    // Fractions of a second are dropped: the lift comes at the second, or a moment after.
    return std::chrono::system_clock::from_time_t(secs);
}

EmbargoTimer::EmbargoTimer(Strand strand, std::function<void(const std::string&)> due)
    : timer_(std::move(strand)), due_(std::move(due)) {}

void EmbargoTimer::arm(const std::string& until) {
    if (until == armed_) return;
    armed_ = until;
    timer_.cancel();
    if (until.empty()) return;
    const auto when = parse_utc(until);
    if (!when) return;  // the tally took it as UTC; this cannot happen
    const auto delay = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        *when - std::chrono::system_clock::now() + std::chrono::seconds(1));
    timer_.expires_after(std::max(delay, std::chrono::steady_clock::duration::zero()));
    wait(until);
}

void EmbargoTimer::retry(const std::string& until) {
    if (until != armed_) return;  // re-armed (or cancelled) meanwhile
    timer_.expires_after(std::chrono::seconds(1));
    wait(until);
}

void EmbargoTimer::wait(const std::string& until) {
    timer_.async_wait([this, until](const boost::system::error_code& ec) {
        if (ec || until != armed_) return;  // cancelled, or re-armed for another end
        due_(until);
    });
}

void EmbargoTimer::cancel() {
    armed_.clear();
    timer_.cancel();
}

}  // namespace declared
