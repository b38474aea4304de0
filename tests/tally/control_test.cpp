// Pure control arithmetic (model/control.hpp).
#include <catch2/catch.hpp>

#include <vector>

#include "model/control.hpp"

using namespace declared;
using control::Holding;
using control::Status;

TEST_CASE("majority is more than half of the filled seats", "[control]") {
    CHECK(control::majority(60, 0) == 31);  // Walsall: 30 of 60 is one short
    CHECK(control::majority(72, 0) == 37);  // Dudley: 35-35 is nobody's
    CHECK(control::majority(36, 1) == 18);  // Crawley: 18 of the 35 filled seats
    CHECK(control::majority(36, 0) == 19);
    CHECK(control::majority(35, 0) == 18);
    CHECK(control::majority(1, 0) == 1);
}

TEST_CASE("exactly half is not control", "[control]") {
    std::vector<Holding> h{{20, 10, true}, {20, 10, true}};  // 30-30 of 60
    auto s = control::settle(60, 31, 0, h, true);
    CHECK(s.status == Status::noc_certain);
    h[0].won = 11;  // 31 reaches M
    CHECK(control::settle(60, 31, 0, h, true).status == Status::secured);
}

TEST_CASE("secured, impossible and undecided", "[control]") {
    // M = 31, U = 10: LAB 25 could reach it, so undecided.
    std::vector<Holding> h{{20, 5, true}, {15, 10, true}};
    CHECK(control::settle(60, 31, 10, h, true).status == Status::undecided);
    // LAB at 31 with seats still to declare: secured early.
    h[0].won = 11;
    auto s = control::settle(60, 31, 4, h, true);
    CHECK(s.status == Status::secured);
    CHECK(s.party == 0);
    // Best party 25 + 5 undeclared = 30 < 31: NOC certain while U > 0.
    std::vector<Holding> noc{{20, 5, true}, {15, 10, true}};
    auto n = control::settle(60, 31, 5, noc, true);
    CHECK(n.status == Status::noc_certain);
    CHECK(n.leader == 0);  // first of the equals
    noc[1].won = 11;  // 26 + 5 = 31 reaches M: no longer certain
    auto u = control::settle(60, 31, 5, noc, true);
    CHECK(u.status == Status::undecided);
    CHECK(u.leader == 1);
}

TEST_CASE("parties that cannot control never secure it", "[control]") {
    std::vector<Holding> h{{0, 6, false}, {0, 4, true}};  // IND 6 of 10
    auto s = control::settle(10, 6, 0, h, true);
    CHECK(s.status == Status::noc_certain);
    CHECK(s.party == -1);
    // A party absent from the council could still win every undeclared seat.
    std::vector<Holding> only_ind{{0, 2, false}};
    CHECK(control::settle(10, 6, 8, only_ind, true).status == Status::undecided);
    CHECK(control::settle(10, 6, 8, only_ind, false).status == Status::noc_certain);
    CHECK(control::settle(10, 6, 5, only_ind, true).status == Status::noc_certain);
}

TEST_CASE("unknown size: no arithmetic", "[control]") {
    std::vector<Holding> h{{0, 50, true}};
    CHECK(control::settle(0, 0, 0, h, true).status == Status::unknown);
}

TEST_CASE("outcome words", "[control]") {
    CHECK(control::outcome_words("LAB", "LAB") == "LAB HOLD");
    CHECK(control::outcome_words("LAB", "CON") == "CON GAIN from LAB");
    CHECK(control::outcome_words("NOC", "CON") == "CON GAIN from NOC");
    CHECK(control::outcome_words("CON", "NOC") == "CON LOSE to NOC");
    CHECK(control::outcome_words("NOC", "NOC") == "NOC no change");
    CHECK(control::outcome_words("", "LAB") == "LAB control");
    CHECK(control::outcome_words("", "NOC") == "NOC");
    CHECK(control::outcome("NOC", "LAB") == control::Outcome::gain);
    CHECK(control::outcome("LAB", "NOC") == control::Outcome::lose_to_noc);
}
