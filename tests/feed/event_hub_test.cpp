// EventHub without sockets: the ring's retention and `since` at its edges, the
// bounded reads subscribers make, the compacted snapshot, and who is woken.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "feed/event_hub.hpp"

using namespace declared;
using declared::feed::EventFilter;
using declared::feed::EventHub;

namespace {

Event make(std::uint64_t seq, EventType type, std::string council = "", std::string region = "") {
    Event e;
    e.seq = seq;
    e.type = type;
    e.council = std::move(council);
    e.region = std::move(region);
    e.json = std::make_shared<const std::string>("{\"seq\":" + std::to_string(seq) + "}");
    return e;
}

// seqs 1..n, cycling through councils A and B (region r1, r2) and a
// scoreboard every third event.
std::vector<Event> night(std::uint64_t n, std::uint64_t first = 1) {
    std::vector<Event> out;
    for (std::uint64_t s = first; s < first + n; ++s) {
        if (s % 3 == 0) out.push_back(make(s, EventType::scoreboard));
        else if (s % 2 == 0) out.push_back(make(s, EventType::ward_declared, "A", "r1"));
        else out.push_back(make(s, EventType::council_updated, "B", "r2"));
    }
    return out;
}

std::vector<std::uint64_t> seqs(const std::vector<Event>& events) {
    std::vector<std::uint64_t> out;
    for (const auto& e : events) out.push_back(e.seq);
    return out;
}

EventFilter all() { return *EventFilter::parse("", "", "").value; }

struct Counter : feed::Subscriber {
    int woken = 0;
    void wake() override { ++woken; }
};

}  // namespace

TEST_CASE("hub: since at the edges of what is published", "[hub]") {
    EventHub hub;
    auto empty = hub.since(0, 10);
    CHECK(empty.events.empty());
    CHECK(empty.last_seq == 0);
    CHECK(empty.oldest_seq == 0);
    CHECK_FALSE(empty.truncated);

    hub.publish(night(5));
    CHECK(seqs(hub.since(0, 100).events) == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
    CHECK(seqs(hub.since(3, 100).events) == std::vector<std::uint64_t>{4, 5});
    CHECK(seqs(hub.since(4, 100).events) == std::vector<std::uint64_t>{5});
    CHECK(hub.since(5, 100).events.empty());  // caught up
    auto ahead = hub.since(99, 100);          // a since from the future gives nothing, not a wrap
    CHECK(ahead.events.empty());
    CHECK(ahead.last_seq == 5);
    CHECK(seqs(hub.since(0, 2).events) == std::vector<std::uint64_t>{1, 2});  // the limit bounds a page
    CHECK(seqs(hub.since(2, 2).events) == std::vector<std::uint64_t>{3, 4});  // and the next page follows on
}

TEST_CASE("hub: retention keeps the newest events and says when since is older than them", "[hub]") {
    EventHub hub(4);
    hub.publish(night(3));
    hub.publish(night(4, 4));  // seqs 4..7; 1..3 fall out
    CHECK(hub.oldest_seq() == 4);
    CHECK(hub.last_seq() == 7);

    auto old = hub.since(1, 100);  // 2 and 3 are gone
    CHECK(old.truncated);
    CHECK(old.oldest_seq == 4);
    CHECK(seqs(old.events) == std::vector<std::uint64_t>{4, 5, 6, 7});

    auto edge = hub.since(3, 100);  // exactly the one before the oldest: nothing is missing
    CHECK_FALSE(edge.truncated);
    CHECK(seqs(edge.events) == std::vector<std::uint64_t>{4, 5, 6, 7});

    std::vector<Event> out;  // a subscriber behind the ring starts at the oldest kept
    CHECK(hub.read(0, all(), 100, 1 << 20, out) == 7);
    CHECK(seqs(out) == std::vector<std::uint64_t>{4, 5, 6, 7});
}

TEST_CASE("hub: a filtered read advances its cursor over events it skips, within its bounds", "[hub]") {
    EventHub hub;
    hub.publish(night(12));
    auto only_a = *EventFilter::parse("A", "", "ward_declared").value;

    std::vector<Event> out;
    // The last event (12) is council A's, but 11 is B's: the cursor still covers 11.
    CHECK(hub.read(0, only_a, 100, 1 << 20, out) == 12);
    CHECK(seqs(out) == std::vector<std::uint64_t>{2, 4, 8, 10});  // 6 and 12 are scoreboards

    out.clear();  // max_events bounds what is examined, not what matches
    CHECK(hub.read(0, only_a, 3, 1 << 20, out) == 3);
    CHECK(seqs(out) == std::vector<std::uint64_t>{2});

    out.clear();  // max_bytes stops after the match that crosses it
    const auto one = hub.since(0, 1).events.front().json->size() + 1;
    CHECK(hub.read(0, all(), 100, one + 1, out) == 2);
    CHECK(seqs(out) == std::vector<std::uint64_t>{1, 2});

    out.clear();  // caught up: nothing, cursor unchanged
    CHECK(hub.read(12, all(), 100, 1 << 20, out) == 12);
    CHECK(out.empty());

    std::vector<EventHub::Numbered> numbered;  // the SSE form keeps each seq with its bytes
    hub.read(9, all(), 100, 1 << 20, numbered);
    REQUIRE(numbered.size() == 3);
    CHECK(numbered[0].seq == 10);
    CHECK(*numbered[2].json == "{\"seq\":12}");
}

TEST_CASE("hub: the snapshot holds the newest state of each council, and a retraction takes its call's place", "[hub]") {
    EventHub hub;
    hub.publish({make(1, EventType::ward_declared, "A", "r1"), make(2, EventType::council_updated, "A", "r1"),
                 make(3, EventType::control_called, "A", "r1"), make(4, EventType::scoreboard),
                 make(5, EventType::council_updated, "B", "r2"), make(6, EventType::council_updated, "A", "r1"),
                 make(7, EventType::call_retracted, "A", "r1"), make(8, EventType::scoreboard),
                 make(9, EventType::control_called, "B", "r2")});

    auto s = hub.snapshot(all());
    CHECK(s.seq == 9);
    // A's update 6 over 2, A's retraction 7 over its call 3, scoreboard 8 over 4;
    // ward results are history, not state.
    CHECK(seqs(s.events) == std::vector<std::uint64_t>{5, 6, 7, 8, 9});

    auto only_b = hub.snapshot(*EventFilter::parse("B", "", "").value);
    CHECK(seqs(only_b.events) == std::vector<std::uint64_t>{5, 8, 9});  // national state reaches a council filter

    auto calls = hub.snapshot(*EventFilter::parse("", "", "control_called,call_retracted").value);
    CHECK(seqs(calls.events) == std::vector<std::uint64_t>{7, 9});
}

TEST_CASE("hub: publishing wakes live subscribers once per batch, and not those gone or unsubscribed", "[hub]") {
    EventHub hub;
    auto a = std::make_shared<Counter>();
    auto b = std::make_shared<Counter>();
    auto gone = std::make_shared<Counter>();
    hub.subscribe(a);
    auto id_b = hub.subscribe(b);
    hub.subscribe(gone);
    std::weak_ptr<Counter> watch = gone;
    gone.reset();
    CHECK(watch.expired());

    hub.publish(night(3));
    CHECK(a->woken == 1);
    CHECK(b->woken == 1);

    hub.unsubscribe(id_b);
    hub.publish(night(2, 4));
    hub.publish({});  // nothing published: nobody is woken
    CHECK(a->woken == 2);
    CHECK(b->woken == 1);
    CHECK(hub.subscribers() == 2);  // a, and the expired one until it unsubscribes itself
}
