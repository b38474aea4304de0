// National figures by the published conventions (issue 13): vote share by
// the Commons Library's top-candidate method, and change figures that say
// how many seats they cover.
#include <catch2/catch.hpp>

#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

TEST_CASE("vote share counts each party's top candidate in a multi-member ward", "[tally][votes]") {
    Card c = card({council("Multi", 3, "LAB", {}, 0, {ward("Abbey", 3)})});
    Tally t(c);
    // A full LAB slate (900, 850, 800) against one CON (700) and one LD (100).
    Declaration d = decl("Multi", "Abbey",
                         {cand("L1", "LAB", 900, true), cand("L2", "LAB", 850, true), cand("L3", "LAB", 800, true),
                          cand("C1", "CON", 700, false), cand("D1", "LD", 100, false)});
    auto ev = accept(t, d);
    const json::object votes = of_type(ev, "scoreboard").back().at("data").at("votes").as_object();
    CHECK(str(votes.at("method")) == "top_candidate");
    CHECK(votes.at("total").as_int64() == 1700);
    CHECK(votes.at("by_party").at("LAB").at("votes").as_int64() == 900);
    CHECK(votes.at("by_party").at("LAB").at("share_bp").as_int64() == 5294);
    CHECK(votes.at("by_party").at("CON").at("votes").as_int64() == 700);
}

TEST_CASE("vote share: in a single-member ward every candidate's votes count", "[tally][votes]") {
    // Two independents and two TUSC candidates for one seat: each polled for
    // themselves (the LEH's Vote effective marks every candidate there).
    Card c = card({council("Single", 1, "LAB", {}, 0, {ward("a", 1)})});
    Tally t(c);
    Declaration d = decl("Single", "a",
                         {cand("L", "LAB", 600, true), cand("I1", "IND", 300, false), cand("I2", "IND", 200, false),
                          cand("T1", "OTH", 50, false), cand("T2", "OTH", 40, false)});
    auto ev = accept(t, d);
    const json::object votes = of_type(ev, "scoreboard").back().at("data").at("votes").as_object();
    CHECK(votes.at("total").as_int64() == 1190);
    CHECK(votes.at("by_party").at("IND").at("votes").as_int64() == 500);
}

TEST_CASE("change figures carry their coverage", "[tally][coverage]") {
    // Three one-seat wards, one without a baseline.
    Card c = card({council("Cover", 3, "LAB", {}, 0, {ward("a", 1, {"LAB"}), ward("b", 1, {"LAB"}), ward("c", 1)})});
    Tally t(c);
    accept(t, win("Cover", "a", {"CON"}));
    auto ev = accept(t, win("Cover", "c", {"CON"}));
    const json::object cov = of_type(ev, "scoreboard").back().at("data").at("change_coverage").as_object();
    CHECK(cov.at("declared_seats").as_int64() == 2);
    CHECK(cov.at("declared_with_baseline").as_int64() == 1);
    CHECK(cov.at("seats_up").as_int64() == 3);
    CHECK(cov.at("with_baseline").as_int64() == 2);
    const json::object council = of_type(ev, "council_updated").back().at("data").at("change_coverage").as_object();
    CHECK(council.at("declared_seats").as_int64() == 2);
    CHECK(council.at("declared_with_baseline").as_int64() == 1);
    CHECK(council.at("seats_up").as_int64() == 3);
    CHECK(council.at("with_baseline").as_int64() == 2);
    CHECK(summary(t).at("change_coverage").at("declared_with_baseline").as_int64() == 1);
}
