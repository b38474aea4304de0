#include "feed/event_hub.hpp"

#include <algorithm>
#include <type_traits>

namespace declared::feed {

bool EventHub::compacted(EventType t) {
    // The types whose newest instance is current state: a council's standing
    // (composition, control, its call) and the national scoreboard.
    return t == EventType::council_updated || t == EventType::scoreboard || t == EventType::control_called ||
           t == EventType::call_retracted;
}

void EventHub::publish(const std::vector<Event>& events) {
    if (events.empty()) return;
    {
        std::unique_lock lock(mutex_);
        for (const auto& e : events) {
            ring_.push_back(e);
            last_seq_ = e.seq;
            if (compacted(e.type)) {
                // A retraction and a call are one slot: the newest says where the call stands.
                int slot = e.type == EventType::call_retracted ? static_cast<int>(EventType::control_called)
                                                               : static_cast<int>(e.type);
                latest_[{slot, e.council}] = e;
            }
        }
        while (ring_.size() > retain_) ring_.pop_front();
    }
    wake_all();
}

void EventHub::wake_all() {
    // Hold the lock only to copy the list: a session released here may be
    // destroyed, and its destructor unsubscribes.
    live_subscribers(waking_);
    for (const auto& s : waking_) s->wake();
    waking_.clear();
}

void EventHub::tick_all() {
    // Its own list: wake_all() may be running on the publishing thread.
    std::vector<std::shared_ptr<Subscriber>> ticking;
    live_subscribers(ticking);
    for (const auto& s : ticking) s->tick();
}

void EventHub::live_subscribers(std::vector<std::shared_ptr<Subscriber>>& out) const {
    out.clear();
    std::lock_guard lock(subscribers_mutex_);
    out.reserve(subscribers_.size());
    for (const auto& [id, weak] : subscribers_)
        if (auto s = weak.lock()) out.push_back(std::move(s));
}

EventHub::Slice EventHub::since(std::uint64_t since, std::size_t limit) const {
    Slice s;
    std::shared_lock lock(mutex_);
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

std::uint64_t EventHub::read(std::uint64_t after, const EventFilter& filter, std::size_t max_events,
                             std::size_t max_bytes, std::vector<Event>& out) const {
    return read_into(after, filter, max_events, max_bytes, out);
}

std::uint64_t EventHub::read(std::uint64_t after, const EventFilter& filter, std::size_t max_events,
                             std::size_t max_bytes, std::vector<std::shared_ptr<const std::string>>& out) const {
    return read_into(after, filter, max_events, max_bytes, out);
}

std::uint64_t EventHub::read(std::uint64_t after, const EventFilter& filter, std::size_t max_events,
                             std::size_t max_bytes, std::vector<Numbered>& out) const {
    return read_into(after, filter, max_events, max_bytes, out);
}

template <class Out>
std::uint64_t EventHub::read_into(std::uint64_t after, const EventFilter& filter, std::size_t max_events,
                                  std::size_t max_bytes, Out& out) const {
    std::shared_lock lock(mutex_);
    if (ring_.empty() || after >= last_seq_) return after;
    const std::uint64_t oldest = ring_.front().seq;
    std::size_t i = after < oldest ? 0 : static_cast<std::size_t>(after + 1 - oldest);
    std::uint64_t cursor = after;
    std::size_t bytes = 0, examined = 0;
    const bool all = filter.everything();
    for (; i < ring_.size() && examined < max_events && bytes < max_bytes; ++i, ++examined) {
        const Event& e = ring_[i];
        cursor = e.seq;
        if (all || filter.matches(e)) {
            using Item = typename Out::value_type;
            if constexpr (std::is_same_v<Item, Event>) out.push_back(e);
            else if constexpr (std::is_same_v<Item, Numbered>) out.push_back(Numbered{e.seq, e.json});
            else out.push_back(e.json);
            bytes += e.json->size() + 1;
        }
    }
    return cursor;
}

EventHub::Snapshot EventHub::snapshot(const EventFilter& filter) const {
    Snapshot s;
    std::shared_lock lock(mutex_);
    s.seq = last_seq_;
    for (const auto& [key, e] : latest_)
        if (filter.matches(e)) s.events.push_back(e);
    std::sort(s.events.begin(), s.events.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
    return s;
}

std::uint64_t EventHub::last_seq() const {
    std::shared_lock lock(mutex_);
    return last_seq_;
}

std::uint64_t EventHub::oldest_seq() const {
    std::shared_lock lock(mutex_);
    return ring_.empty() ? 0 : ring_.front().seq;
}

std::size_t EventHub::subscribe(std::weak_ptr<Subscriber> s) {
    std::lock_guard lock(subscribers_mutex_);
    std::size_t id = next_id_++;
    subscribers_.emplace(id, std::move(s));
    return id;
}

void EventHub::unsubscribe(std::size_t id) {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.erase(id);
}

std::size_t EventHub::subscribers() const {
    std::lock_guard lock(subscribers_mutex_);
    return subscribers_.size();
}

}  // namespace declared::feed
