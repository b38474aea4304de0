// Under-contested wards (issue 13): fewer candidates than seats. Every
// candidate is elected, the remaining seats stay vacant, and those seats are
// vacancies for the majority.
#include <catch2/catch.hpp>

#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

TEST_CASE("under-contested ward: all elected, the rest vacant, the majority lowered", "[tally][under_contested]") {
    // 6 seats in two three-seat wards: M = 4. Abbey has two candidates for three seats.
    Card c = card({council("Short", 6, "CON", {}, 0, {ward("Abbey", 3, {"CON", "CON", "CON"}), ward("Battle", 3)})});
    Tally t(c);
    t.start();
    Declaration abbey = decl("Short", "Abbey", {cand("A", "LAB", std::nullopt, true), cand("B", "LAB", std::nullopt, true)});
    auto ev = accept(t, abbey);
    auto ward = of_type(ev, "ward_declared").at(0);
    CHECK(str(ward.at("text")) == "Short, Abbey: LAB GAIN from CON x2 (unopposed, 1 seat vacant)");
    CHECK(ward.at("data").at("vacant_seats").as_int64() == 1);
    CHECK(ward.at("data").at("winners").as_array().size() == 2);
    auto upd = of_type(ev, "council_updated").at(0).at("data").as_object();
    CHECK(upd.at("vacancies").as_int64() == 1);
    CHECK(upd.at("majority").as_int64() == 3);  // floor((6 - 1) / 2) + 1
    CHECK(upd.at("undeclared").as_int64() == 3);

    // LAB 2 + 1 = 3 of the 5 filled seats: control, which 3 of 6 would not be.
    ev = accept(t, win("Short", "Battle", {"CON", "CON", "LAB"}));
    auto call = of_type(ev, "control_called");
    REQUIRE(call.size() == 1);
    CHECK(str(call[0].at("data").at("control")) == "LAB");
    CHECK(call[0].at("data").at("arithmetic").at("majority").as_int64() == 3);
    CHECK(call[0].at("data").at("arithmetic").at("vacancies").as_int64() == 1);
    CHECK(str(by_council(t, "Short").at("status")) == "final");
}

TEST_CASE("under-contested ward: a correction that fills the seat restores the majority", "[tally][under_contested]") {
    Card c = card({council("Short", 6, "CON", {}, 0, {ward("Abbey", 3), ward("Battle", 3)})});
    Tally t(c);
    t.start();
    accept(t, decl("Short", "Abbey", {cand("A", "LAB", 300, true), cand("B", "LAB", 200, true)}));
    auto ev = accept(t, win("Short", "Abbey", {"LAB", "LAB", "CON"}, 2));
    auto upd = of_type(ev, "council_updated").at(0).at("data").as_object();
    CHECK(upd.at("vacancies").as_int64() == 0);
    CHECK(upd.at("majority").as_int64() == 4);
}

TEST_CASE("under-contested ward: fewer elected than candidates allow is still refused", "[validate][under_contested]") {
    Card c = card({council("Short", 3, "CON", {}, 0, {ward("Abbey", 3)})});
    Tally t(c);
    Declaration d = decl("Short", "Abbey", {cand("A", "LAB", 300, true), cand("B", "LAB", 200, false)});
    auto a = t.assess(d);
    CHECK(a.verdict == Verdict::rejected);
    CHECK(a.error.code == "elected_count");
    CHECK(a.error.expected == "2 elected (every candidate: fewer candidates than the 3 seats up)");
    CHECK(a.error.got == "1 elected");
}
