#include <catch2/catch.hpp>

#include <string>

#include "model/card_json.hpp"
#include "tests/support/small_card.hpp"

using namespace declared;

namespace {

std::string replace(std::string s, std::string_view from, std::string_view to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

Error card_error(const std::string& json) {
    auto r = parse_card(json);
    REQUIRE_FALSE(r.ok());
    return r.error;
}

}  // namespace

TEST_CASE("card: loads, indexes and resolves aliases", "[card]") {
    auto r = parse_card(testing::kSmallCard);
    REQUIRE(r.ok());
    const Card& card = *r.value;
    CHECK(card.election.id == "local.2022-05-05");
    CHECK(card.election.test);
    REQUIRE(card.party("Labour Co-op") != nullptr);
    CHECK(card.party("Labour Co-op")->code == "LAB");
    CHECK_FALSE(card.party("IND")->can_control);
    const Council* c = card.council("local.testham.2022-05-05");
    REQUIRE(c != nullptr);
    CHECK(c->size == 5);
    CHECK(c->cycle == Cycle::all_out);
    CHECK(c->seats_up() == 5);
    const Ward* w = card.ward(*c, "local.testham.abbey.2022-05-05");
    REQUIRE(w != nullptr);
    CHECK(w->last_won == std::vector<std::string>{"LAB", "LAB", "CON"});
    CHECK(card.ward(*c, "local.elsewhere.abbey.2022-05-05") == nullptr);
    CHECK(card.mayor(*c, "mayor.testham.2022-05-05")->previous == "LAB");
}

TEST_CASE("card: written and read back unchanged", "[card]") {
    auto first = parse_card(testing::kSmallCard);
    REQUIRE(first.ok());
    std::string written = card_to_json(*first.value);
    auto second = parse_card(written);
    REQUIRE(second.ok());
    CHECK(card_to_json(*second.value) == written);
}

TEST_CASE("card: control before is derived from composition when absent", "[card]") {
    std::string json = replace(std::string(testing::kSmallCard), R"("control_before": "LAB",)", "");
    auto r = parse_card(json);
    REQUIRE(r.ok());
    CHECK(r.value->councils[0].control_before == "LAB");
    json = replace(json, R"({"LAB": 3, "CON": 2})", R"({"LAB": 2, "CON": 2, "IND": 1})");
    r = parse_card(json);
    REQUIRE(r.ok());
    CHECK(r.value->councils[0].control_before == "NOC");
}

TEST_CASE("card: inconsistent cards are refused with the path of the problem", "[card]") {
    std::string card(testing::kSmallCard);
    SECTION("seats do not add up") {
        auto e = card_error(replace(card, R"("size": 5)", R"("size": 7)"));
        CHECK(e.code == "seats_mismatch");
        CHECK(e.path == "councils[0].size");
        CHECK(e.got == "7");
    }
    SECTION("unknown party in a baseline") {
        auto e = card_error(replace(card, R"(["CON"])", R"(["UKIP"])"));
        CHECK(e.code == "unknown_party");
        CHECK(e.path == "councils[0].wards[1].last_won[0]");
    }
    SECTION("baseline of the wrong length") {
        auto e = card_error(replace(card, R"(["LAB", "LAB", "CON"])", R"(["LAB", "CON"])"));
        CHECK(e.code == "last_won_count");
        CHECK(e.path == "councils[0].wards[0].last_won");
    }
    SECTION("an alias naming two parties") {
        auto e = card_error(replace(card, R"("aliases": ["C"])", R"("aliases": ["Lab"])"));
        CHECK(e.code == "duplicate_party");
        CHECK(e.path == "parties[1].aliases[0]");
    }
    SECTION("duplicate ward id") {
        auto e = card_error(replace(card, "local.testham.brook.2022-05-05", "local.testham.abbey.2022-05-05"));
        CHECK(e.code == "duplicate_ward");
        CHECK(e.path == "councils[0].wards[1].id");
    }
    SECTION("wrong format tag") {
        auto e = card_error(replace(card, "declared-card/1", "declared-card/9"));
        CHECK(e.code == "bad_format");
    }
    SECTION("unknown cycle") {
        auto e = card_error(replace(card, R"("all-out")", R"("quarters")"));
        CHECK(e.code == "bad_value");
        CHECK(e.path == "councils[0].cycle");
    }
    SECTION("not JSON") {
        auto e = card_error(card.substr(0, card.size() / 2));
        CHECK(e.code == "invalid_json");
    }
    SECTION("a ward without seats") {
        auto e = card_error(replace(card, R"("seats": 1, "last_won": ["CON"])", R"("seats": 0, "last_won": [])"));
        CHECK(e.code == "out_of_range");
        CHECK(e.path == "councils[0].wards[1].seats");
    }
}

TEST_CASE("card: empty optional fields are left out when written, so the card reads back", "[card]") {
    Card card;
    card.election.id = "local.2022-05-05";
    card.parties.push_back(Party{"LAB", "", {}, "", true});
    Council c;
    c.id = "local.x.2022-05-05";
    c.name = "X";  // no ONS code, region or control before
    c.wards.push_back(Ward{"local.x.a.2022-05-05", "A", "", 1, {}, false, false});
    c.mayors.push_back(Mayoralty{"mayor.x.2022-05-05", "Mayor of X", ""});
    card.councils.push_back(c);
    card.index();
    auto back = parse_card(card_to_json(card));
    INFO(back.error.message());
    REQUIRE(back.ok());
    CHECK(back.value->councils[0].ons.empty());
    CHECK(back.value->councils[0].region.empty());
}
