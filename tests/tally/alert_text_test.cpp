// The words of an alert say what kind of call it is (issue 13): a final
// result, an early call with the seats still to declare, a council whose
// control could not change before counting, a seat decided by lot; and local
// parties by the card's short label. HOLD / GAIN from / LOSE to NOC stay.
#include <catch2/catch.hpp>

#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

TEST_CASE("alert text: an early call says how many seats remain", "[tally][text]") {
    Card c = card({council("Crawley", 36, "NOC", {{"LAB", 11}, {"CON", 12}}, 1, wards("c", 12))});
    Tally t(c);
    std::vector<json::object> all;
    for (int i = 1; i <= 7; ++i) {
        auto ev = accept(t, win("Crawley", "c" + std::to_string(i), {"LAB"}));
        all.insert(all.end(), ev.begin(), ev.end());
    }
    // LAB 11 + 7 = 18 >= 18 with 5 seats still to declare.
    auto calls = of_type(all, "control_called");
    REQUIRE(calls.size() == 1);
    CHECK(str(calls[0].at("text")) == "Crawley: LAB GAIN from NOC (called, 5 seats to declare)");
    CHECK(str(calls[0].at("data").at("outcome")) == "LAB GAIN from NOC");
}

TEST_CASE("alert text: one seat to declare is singular, and a final result has the plain words", "[tally][text]") {
    Card c = card({council("Hastings", 3, "LAB", {}, 0, wards("h", 3, "LAB")),
                   council("Final", 1, "LAB", {}, 0, wards("f", 1, "LAB"))});
    Tally t(c);
    accept(t, win("Hastings", "h1", {"CON"}));
    auto ev = accept(t, win("Hastings", "h2", {"CON"}));
    CHECK(str(of_type(ev, "control_called").at(0).at("text")) == "Hastings: CON GAIN from LAB (called, 1 seat to declare)");
    ev = accept(t, win("Final", "f1", {"LAB"}));
    auto call = of_type(ev, "control_called").at(0);
    CHECK(call.at("data").at("final").as_bool());
    CHECK(str(call.at("text")) == "Final: LAB HOLD");
}

TEST_CASE("alert text: control that could not change before counting says so", "[tally][text]") {
    Card c = card({council("Sunderland", 60, "LAB", {{"LAB", 35}, {"CON", 5}}, 0, wards("s", 20, "LAB")),
                   council("Bolton", 60, "CON", {{"LAB", 10}, {"CON", 10}, {"IND", 20}}, 0, wards("b", 20))});
    Tally t(c);
    auto ev = parse(t.start());
    auto calls = of_type(ev, "control_called");
    REQUIRE(calls.size() == 2);
    CHECK(str(calls[0].at("text")) == "Sunderland: LAB HOLD (before counting: control cannot change)");
    CHECK(str(calls[1].at("text")) == "Bolton: CON LOSE to NOC (before counting: control cannot change)");
}

TEST_CASE("alert text: a seat decided by lot says so", "[tally][text][lots]") {
    Card c = card({council("Lots", 3, "LAB", {}, 0, wards("l", 3, "LAB"))});
    Tally t(c);
    Declaration d = decl("Lots", "l1",
                         {cand("Able A.", "LAB", 500, false), cand("Baker B.", "CON", 500, true),
                          cand("Cole C.", "LD", 20, false)});
    d.lots = Lots{{"Able A.", "Baker B."}, {"Baker B."}};
    auto ev = accept(t, d);
    CHECK(str(of_type(ev, "ward_declared").at(0).at("text")) == "Lots, l1: CON GAIN from LAB (decided by lot)");
}

TEST_CASE("alert text: local parties are named by the card's short label", "[tally][text]") {
    Card c = card({council("Castle Point", 2, "CON", {}, 0, wards("w", 2, "CON"))});
    Party ciip{"CIIP", "Canvey Island Independent Party", {}, "", true};
    ciip.label = "Canvey Island Ind";
    c.parties.push_back(ciip);
    c.index();
    Tally t(c);
    auto first = accept(t, win("Castle Point", "w1", {"CIIP"}));
    auto ward = of_type(first, "ward_declared").at(0);
    CHECK(str(ward.at("text")) == "Castle Point, w1: Canvey Island Ind GAIN from CON");
    CHECK(str(ward.at("data").at("summary")) == "CIIP GAIN from CON");  // data keeps codes
    auto ev = accept(t, win("Castle Point", "w2", {"CIIP"}));
    auto call = of_type(ev, "control_called").at(0);
    CHECK(str(call.at("text")) == "Castle Point: Canvey Island Ind GAIN from CON");
    CHECK(str(call.at("data").at("outcome")) == "CIIP GAIN from CON");
    CHECK(str(of_type(ev, "council_updated").at(0).at("text")) ==
          "Castle Point: 2 of 2 wards declared; Canvey Island Ind GAIN from CON");
}
