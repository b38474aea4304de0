#include "feed/event_hub.hpp"

#include <algorithm>

namespace declared::feed {

void EventHub::publish(const std::vector<Event>& events) {
    if (events.empty()) return;
    std::vector<Listener> listeners;
    {
        std::lock_guard lock(mutex_);
        for (const auto& e : events) {
            ring_.push_back(e);
            last_seq_ = e.seq;
        }
        while (ring_.size() > retain_) ring_.pop_front();
        listeners = listeners_;
    }
    for (auto& l : listeners) l(events);
}

EventHub::Slice EventHub::since(std::uint64_t since, std::size_t limit) const {
    Slice s;
    std::lock_guard lock(mutex_);
    s.last_seq = last_seq_;
    s.oldest_seq = ring_.empty() ? 0 : ring_.front().seq;
    if (ring_.empty() || since >= last_seq_) return s;
    s.truncated = since + 1 < s.oldest_seq;
    // Seqs are consecutive in the ring, so the start is an index, not a search.
    std::size_t start = since < s.oldest_seq ? 0 : static_cast<std::size_t>(since + 1 - s.oldest_seq);
    std::size_t n = std::min(limit, ring_.size() - start);
    s.events.assign(ring_.begin() + static_cast<std::ptrdiff_t>(start),
                    ring_.begin() + static_cast<std::ptrdiff_t>(start + n));
    return s;
}

std::uint64_t EventHub::last_seq() const {
    std::lock_guard lock(mutex_);
    return last_seq_;
}

std::uint64_t EventHub::oldest_seq() const {
    std::lock_guard lock(mutex_);
    return ring_.empty() ? 0 : ring_.front().seq;
}

void EventHub::on_publish(Listener l) {
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(l));
}

}  // namespace declared::feed
