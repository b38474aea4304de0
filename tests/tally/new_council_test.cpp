// New councils (issue 13): a council holding its first election has no
// control before. Its outcome reads as a win, and it counts in its party's
// councils but in no one's change.
#include <catch2/catch.hpp>

#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

namespace {

Council fresh(std::string id) {
    Council c = council(std::move(id), 3, "", {}, 0, wards("n", 3));
    c.new_council = true;
    return c;
}

}  // namespace

TEST_CASE("a new council's control reads as a win, not a gain", "[tally][new_council]") {
    Card c = card({fresh("Cumberland")});
    Tally t(c);
    CHECK(t.start().empty());
    accept(t, win("Cumberland", "n1", {"LAB"}));
    auto ev = accept(t, win("Cumberland", "n2", {"LAB"}));
    auto call = of_type(ev, "control_called");
    REQUIRE(call.size() == 1);
    CHECK(str(call[0].at("text")) == "Cumberland: LAB WIN (new council) (called, 1 seat to declare)");
    const auto& d = call[0].at("data").as_object();
    CHECK(str(d.at("outcome")) == "LAB WIN (new council)");
    CHECK(str(d.at("outcome_kind")) == "new_council");
    CHECK(d.at("control_before").is_null());
    auto upd = of_type(ev, "council_updated").back().at("data").as_object();
    CHECK(upd.at("new_council").as_bool());
    CHECK(str(upd.at("outcome_kind")) == "new_council");
    auto sb = of_type(ev, "scoreboard").back().at("data").as_object();
    CHECK(sb.at("councils").at("LAB").at("count").as_int64() == 1);
    CHECK(sb.at("councils").at("LAB").at("change").as_int64() == 0);
    CHECK(str(by_council(t, "Cumberland").at("outcome")) == "LAB WIN (new council)");
}

TEST_CASE("a new council with no majority is NOC (new council)", "[tally][new_council]") {
    Card c = card({fresh("Somerset")});
    Tally t(c);
    accept(t, win("Somerset", "n1", {"LAB"}));
    accept(t, win("Somerset", "n2", {"CON"}));
    auto ev = accept(t, win("Somerset", "n3", {"LD"}));
    auto call = of_type(ev, "control_called");
    REQUIRE(call.size() == 1);
    CHECK(str(call[0].at("text")) == "Somerset: NOC (new council)");
    CHECK(str(call[0].at("data").at("outcome_kind")) == "new_council");
    auto sb = of_type(ev, "scoreboard").back().at("data").as_object();
    CHECK(sb.at("councils").at("NOC").at("count").as_int64() == 1);
    CHECK(sb.at("councils").at("NOC").at("change").as_int64() == 0);
}
