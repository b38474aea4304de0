#pragma once
// The hub: every published event, in seq order, in one bounded ring shared by
// all readers. Subscribers keep only a cursor into it, so an event is stored
// once whoever reads it, and a slow subscriber costs a cursor, not a queue.
// It also keeps the newest event per (type, council) of the state-carrying
// types: a compacted snapshot for subscribers that join without `since`.
//
// Thread-safe: one publisher (the ingest strand), many readers under a
// shared lock that is held only to copy pointers.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "feed/event_filter.hpp"
#include "model/event.hpp"

namespace declared::feed {

// Told when new events are in the ring. wake() runs on the publisher's
// thread: it must only schedule work, never read the hub itself.
class Subscriber {
public:
    virtual ~Subscriber() = default;
    virtual void wake() = 0;
    // Called every few seconds by the feed's one Ticker (heartbeats, stuck
    // writes): one timer for all subscribers, not one each.
    virtual void tick() {}
};

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

    // For subscribers: appends to out the events after `after` that match,
    // examining at most max_events or until max_bytes of matches. Returns the
    // seq it examined up to (the new cursor).
    std::uint64_t read(std::uint64_t after, const EventFilter& filter, std::size_t max_events, std::size_t max_bytes,
                       std::vector<Event>& out) const;
    // The same, keeping only the bytes: what a subscriber writes. Copying a
    // whole Event per delivery also copied its filter-key strings.
    std::uint64_t read(std::uint64_t after, const EventFilter& filter, std::size_t max_events, std::size_t max_bytes,
                       std::vector<std::shared_ptr<const std::string>>& out) const;
    // The bytes and the seq: what a Server-Sent Events subscriber writes (the
    // seq is each event's `id:`).
    struct Numbered {
        std::uint64_t seq = 0;
        std::shared_ptr<const std::string> json;
    };
    std::uint64_t read(std::uint64_t after, const EventFilter& filter, std::size_t max_events, std::size_t max_bytes,
                       std::vector<Numbered>& out) const;

    struct Snapshot {
        std::uint64_t seq = 0;     // the state as of this seq; live events follow it
        std::vector<Event> events; // newest of each state-carrying (type, council), in seq order
    };
    Snapshot snapshot(const EventFilter& filter) const;

    std::uint64_t last_seq() const;
    std::uint64_t oldest_seq() const;

    // Calls tick() on every subscriber.
    void tick_all();

    std::size_t subscribe(std::weak_ptr<Subscriber> s);
    void unsubscribe(std::size_t id);
    std::size_t subscribers() const;

private:
    template <class Out>
    std::uint64_t read_into(std::uint64_t after, const EventFilter& filter, std::size_t max_events,
                            std::size_t max_bytes, Out& out) const;
    static bool compacted(EventType t);
    void wake_all();
    void live_subscribers(std::vector<std::shared_ptr<Subscriber>>& out) const;

    const std::size_t retain_;
    mutable std::shared_mutex mutex_;
    std::deque<Event> ring_;
    std::uint64_t last_seq_ = 0;
    std::map<std::pair<int, std::string>, Event> latest_;  // (type, council) -> newest

    mutable std::mutex subscribers_mutex_;
    std::size_t next_id_ = 1;
    std::unordered_map<std::size_t, std::weak_ptr<Subscriber>> subscribers_;
    std::vector<std::shared_ptr<Subscriber>> waking_;  // publisher's scratch list, reused
};

}  // namespace declared::feed
