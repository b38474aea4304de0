// EventFilter without sockets: what a subscription's councils, regions and
// types let through, national events included, and what it refuses.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "feed/event_filter.hpp"

using namespace declared;
using declared::feed::EventFilter;

namespace {

Event make(EventType type, std::string council = "", std::string region = "") {
    Event e;
    e.type = type;
    e.council = std::move(council);
    e.region = std::move(region);
    e.json = std::make_shared<const std::string>("{}");
    return e;
}

EventFilter parse(std::string_view councils, std::string_view regions, std::string_view types) {
    auto f = EventFilter::parse(councils, regions, types);
    REQUIRE(f.ok());
    return *f.value;
}

}  // namespace

TEST_CASE("filter: empty lists take everything", "[filter]") {
    auto f = parse("", "", "");
    CHECK(f.everything());
    CHECK(f.matches(make(EventType::ward_declared, "E06000001", "North East")));
    CHECK(f.matches(make(EventType::scoreboard)));
    CHECK(f.matches(make(EventType::heartbeat)));
    CHECK_FALSE(parse("E06000001", "", "").everything());
    CHECK_FALSE(parse("", "", "scoreboard").everything());
}

TEST_CASE("filter: councils and regions select their own events and let national ones through", "[filter]") {
    auto councils = parse("B,A", "", "");
    CHECK(councils.matches(make(EventType::council_updated, "A", "r1")));
    CHECK(councils.matches(make(EventType::control_called, "B", "r9")));
    CHECK_FALSE(councils.matches(make(EventType::council_updated, "C", "r1")));
    CHECK(councils.matches(make(EventType::scoreboard)));  // the scoreboard belongs to everyone

    auto region = parse("", "r1", "");
    CHECK(region.matches(make(EventType::ward_declared, "C", "r1")));
    CHECK_FALSE(region.matches(make(EventType::ward_declared, "A", "r2")));
    CHECK(region.matches(make(EventType::scoreboard)));

    auto both = parse("A", "r1", "");  // both must hold
    CHECK(both.matches(make(EventType::ward_declared, "A", "r1")));
    CHECK_FALSE(both.matches(make(EventType::ward_declared, "A", "r2")));
    CHECK_FALSE(both.matches(make(EventType::ward_declared, "B", "r1")));
}

TEST_CASE("filter: types select by type, national events included", "[filter]") {
    auto calls = parse("A", "", "control_called,call_retracted");
    CHECK(calls.matches(make(EventType::control_called, "A", "r1")));
    CHECK(calls.matches(make(EventType::call_retracted, "A", "r1")));
    CHECK_FALSE(calls.matches(make(EventType::council_updated, "A", "r1")));
    CHECK_FALSE(calls.matches(make(EventType::scoreboard)));  // a type filter does bind national events
    CHECK_FALSE(calls.matches(make(EventType::control_called, "B", "r1")));
}

TEST_CASE("filter: lists are sets: repeats and empty items change nothing", "[filter]") {
    auto f = parse(",A,,A,", "", "scoreboard,,scoreboard");
    CHECK(f.councils() == std::vector<std::string>{"A"});
    CHECK(f.matches(make(EventType::scoreboard)));
    CHECK_FALSE(f.matches(make(EventType::ward_declared, "A", "r1")));
}

TEST_CASE("filter: an unknown type is refused naming the field and what it got", "[filter]") {
    auto bad = EventFilter::parse("", "", "ward_declared,wardz");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error.code == "bad_filter");
    CHECK(bad.error.path == "types");
    CHECK(bad.error.got == "\"wardz\"");
    CHECK(bad.error.expected.find("control_called") != std::string::npos);
    CHECK(feed::event_type_from_string("call_retracted") == EventType::call_retracted);
    CHECK_FALSE(feed::event_type_from_string("Call_Retracted"));
}
