// Per-seat gains against the last-fought baseline (model/seat_gains.hpp).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "model/seat_gains.hpp"

using namespace declared;
using Kind = SeatResult::Kind;

TEST_CASE("multi-seat ward: gains counted seat by seat", "[seats]") {
    std::vector<std::string> winners{"LAB", "LAB", "CON"};
    std::vector<std::string> last{"LAB", "CON", "CON"};
    auto r = seat_results(winners, last);
    REQUIRE(r.size() == 3);
    CHECK(r[0] == SeatResult{"LAB", Kind::hold, {}});
    CHECK(r[1] == SeatResult{"LAB", Kind::gain, "CON"});
    CHECK(r[2] == SeatResult{"CON", Kind::hold, {}});
    CHECK(seat_words(r) == "LAB HOLD, LAB GAIN from CON, CON HOLD");
}

TEST_CASE("holds are matched before gains whatever the order", "[seats]") {
    // CON listed first, but the CON seat is a hold and LAB's second seat the gain.
    std::vector<std::string> winners{"CON", "LAB", "LAB"};
    std::vector<std::string> last{"LAB", "CON", "CON"};
    auto r = seat_results(winners, last);
    CHECK(r[0].kind == Kind::hold);
    CHECK(r[1] == SeatResult{"LAB", Kind::hold, {}});
    CHECK(r[2] == SeatResult{"LAB", Kind::gain, "CON"});
}

TEST_CASE("a clean sweep and a total loss", "[seats]") {
    std::vector<std::string> winners{"LD", "LD", "LD"};
    std::vector<std::string> last{"CON", "LAB", "CON"};
    auto r = seat_results(winners, last);
    CHECK(r[0] == SeatResult{"LD", Kind::gain, "CON"});
    CHECK(r[1] == SeatResult{"LD", Kind::gain, "LAB"});
    CHECK(r[2] == SeatResult{"LD", Kind::gain, "CON"});
    CHECK(seat_words(r) == "LD GAIN from CON x2, LD GAIN from LAB");
}

TEST_CASE("unknown baseline: no gain or hold words", "[seats]") {
    std::vector<std::string> winners{"LAB", "LAB"};
    auto r = seat_results(winners, {});
    CHECK(r[0].kind == Kind::elected);
    CHECK(r[1].kind == Kind::elected);
    CHECK(seat_words(r) == "LAB elected x2");
}

TEST_CASE("single seat hold and gain", "[seats]") {
    std::vector<std::string> lab{"LAB"};
    std::vector<std::string> con{"CON"};
    CHECK(seat_words(seat_results(lab, lab)) == "LAB HOLD");
    CHECK(seat_words(seat_results(lab, con)) == "LAB GAIN from CON");
}
