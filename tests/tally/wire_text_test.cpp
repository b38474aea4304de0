// Wire copy: the longer house-style sentence in each result's and control
// call's event data ("wire"), beside the short alert text. Exact words, party
// names in house style, deterministic.
#include <catch2/catch.hpp>

#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

namespace {

std::string wire_of(const std::vector<json::object>& events, const std::string& type) {
    auto of = of_type(events, type);
    REQUIRE(of.size() == 1);
    return str(of[0].at("data").at("wire"));
}

}  // namespace

TEST_CASE("wire: a single-seat hold and gain name the parties and the majority", "[wire]") {
    // Crawley: five single-seat wards last won by CON; 5 seats, majority 3.
    Card c = card({council("Crawley", 5, "CON", {}, 0, wards("w", 5, "CON"))});
    Tally t(c);
    t.start();
    auto held = accept(t, decl("Crawley", "w1", {cand("A", "CON", 700, true), cand("B", "LAB", 388, false),
                                                 cand("C", "LD", 90, false)}));
    CHECK(wire_of(held, "ward_declared") == "Crawley: Conservatives hold w1, majority 312");
    CHECK(str(of_type(held, "ward_declared")[0].at("text")) == "Crawley, w1: CON HOLD");  // the alert text is untouched
    auto gained = accept(t, decl("Crawley", "w2", {cand("A", "LAB", 1440, true), cand("B", "CON", 40, false)}));
    CHECK(wire_of(gained, "ward_declared") == "Crawley: Labour gain w2 from the Conservatives, majority 1,400");
}

TEST_CASE("wire: a multi-seat ward groups its seats, and unopposed, lots and corrections are said", "[wire]") {
    Card c = card({council("Dudley", 6, "LAB", {}, 0,
                           {ward("a", 3, {"LAB", "LAB", "CON"}), ward("b", 1, {"LAB"}), ward("c", 2, {"LAB", "LAB"})})});
    Tally t(c);
    t.start();
    auto a = accept(t, win("Dudley", "a", {"LAB", "LAB", "LAB"}));
    CHECK(wire_of(a, "ward_declared") == "Dudley: Labour hold two seats and gain one seat from the Conservatives in a, majority 880");
    auto b = accept(t, decl("Dudley", "b", {cand("Only", "LAB", std::nullopt, true)}));
    CHECK(wire_of(b, "ward_declared") == "Dudley: Labour hold b, unopposed");
    auto again = accept(t, win("Dudley", "a", {"LAB", "CON", "LAB"}, 2));
    CHECK(wire_of(again, "declaration_corrected") ==
          "Dudley: Labour hold two seats and the Conservatives hold one seat in a, majority 880 (corrected result)");
    auto cc = accept(t, win("Dudley", "c", {"GREEN", "GREEN"}, 1, "LAB"));
    CHECK(wire_of(cc, "ward_declared") == "Dudley: Greens gain both seats from Labour in c, majority 890");
}

TEST_CASE("wire: control calls say who gained or held what, with the seats and the biggest loser", "[wire]") {
    // Dudley: 5 seats all up, NOC before; LAB wins 3 of 5 (the call is final
    // only at the last ward).
    Card c = card({council("Dudley", 5, "NOC", {}, 0, wards("w", 5, "CON")),
                   council("Walsall", 3, "LAB", {}, 0, wards("v", 3, "LAB")),
                   council("Sandwell", 3, "CON", {}, 0, wards("s", 3, "CON"))});
    Tally t(c);
    t.start();
    accept(t, win("Dudley", "w1", {"LAB"}));
    accept(t, win("Dudley", "w2", {"LAB"}));
    auto early = accept(t, win("Dudley", "w3", {"LAB"}));
    CHECK(wire_of(early, "control_called") ==
          "Labour have gained Dudley from no overall control, with 3 of the 5 seats and 2 still to declare. "
          "The Conservatives have lost 3 seats so far.");
    accept(t, win("Walsall", "v1", {"LAB"}));
    auto hold = accept(t, win("Walsall", "v2", {"LAB"}));  // 2 of 3: a majority, one seat to declare
    CHECK(wire_of(hold, "control_called") == "Labour have held Walsall, with 2 of the 3 seats and 1 still to declare.");
    auto last = accept(t, win("Dudley", "w4", {"CON"}));
    CHECK(of_type(last, "control_called").empty());  // no new call: Dudley's stands
    accept(t, win("Sandwell", "s1", {"LAB"}));
    accept(t, win("Sandwell", "s2", {"LD"}));
    auto noc = accept(t, win("Sandwell", "s3", {"CON"}));
    CHECK(wire_of(noc, "control_called") ==
          "The Conservatives have lost control of Sandwell, which is now under no overall control. "
          "The Conservatives lost 2 seats.");
}

TEST_CASE("wire: a call made by the last ward says the seats won, and a thirds council's the seats held", "[wire]") {
    Card c = card({council("Wolverhampton", 3, "NOC", {}, 0, wards("w", 3, "CON")),
                   council("Tamworth", 5, "CON", {{"CON", 2}, {"LAB", 1}}, 0, wards("t", 2, "LAB"))});
    Tally t(c);
    t.start();
    accept(t, win("Wolverhampton", "w1", {"LAB"}));
    accept(t, win("Wolverhampton", "w2", {"CON"}));
    auto final = accept(t, win("Wolverhampton", "w3", {"LAB"}));
    CHECK(wire_of(final, "control_called") ==
          "Labour have gained Wolverhampton from no overall control, winning 2 of the 3 seats. "
          "The Conservatives lost 2 seats.");
    // Tamworth: CON 2 continuing + LAB 1; the two seats up were LAB's. CON takes one: 3 of 5.
    accept(t, win("Tamworth", "t1", {"LAB"}));
    auto thirds = accept(t, win("Tamworth", "t2", {"CON"}));
    CHECK(wire_of(thirds, "control_called") ==
          "The Conservatives have held Tamworth, with 3 of the 5 seats. Labour lost 1 seat.");
}

TEST_CASE("wire: the same declarations give the same words, and a party off the style table is named as the card names it", "[wire]") {
    Card c = card({council("Tamworth", 1, "CON", {}, 0, wards("t", 1, "CON"))});
    auto run = [&] {
        Tally t(c);
        t.start();
        return wire_of(accept(t, win("Tamworth", "t1", {"OTH"})), "ward_declared");
    };
    CHECK(run() == "Tamworth: Others gain t1 from the Conservatives, majority 900");
    CHECK(run() == run());
}
