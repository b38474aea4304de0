#pragma once
// The hub: every published event, in seq order, kept in a bounded ring so that
// late joiners and `since=N` readers get what they missed. Events arrive
// already serialized; the hub shares the same bytes with every reader.
// Thread-safe: one publisher (the ingest strand), many readers; the lock is
// held only to copy pointers.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "model/event.hpp"

namespace declared::feed {

class EventHub {
public:
    explicit EventHub(std::size_t retain = 1'000'000) : retain_(retain) {}

    // Events must come in seq order, without gaps.
    void publish(const std::vector<Event>& events);

    struct Slice {
        std::vector<Event> events;   // seq > since, at most limit of them
        std::uint64_t last_seq = 0;  // newest seq published
        std::uint64_t oldest_seq = 0;  // oldest seq still retained (0: none yet)
        bool truncated = false;  // since is older than what is retained: events start later
    };
    Slice since(std::uint64_t since, std::size_t limit) const;

    std::uint64_t last_seq() const;
    std::uint64_t oldest_seq() const;

    // Called (on the publisher's thread) after each publish; for fan-out.
    using Listener = std::function<void(const std::vector<Event>&)>;
    void on_publish(Listener l);

private:
    const std::size_t retain_;
    mutable std::mutex mutex_;
    std::deque<Event> ring_;
    std::uint64_t last_seq_ = 0;
    std::vector<Listener> listeners_;
};

}  // namespace declared::feed
