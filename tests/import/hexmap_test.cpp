// declared import --hexmap: councils placed on a HexJSON map by ONS code,
// the rest named; bad maps refused with the file and what is wrong, leaving
// the card as it was. And the real 2022 night on the real layout.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/tools/import/error.hpp"
#include "daemon/tools/import/hexmap.hpp"
#include "daemon/tools/import/importer.hpp"
#include "model/card_json.hpp"

using namespace declared;
using namespace declared::import;

namespace {

Card three_councils() {
    Card card;
    for (auto [id, ons, name] : {std::tuple{"a", "E06000001", "Hartlepool"}, std::tuple{"b", "E06000002", "Middlesbrough"},
                                 std::tuple{"c", "", "Nowhere"}}) {
        Council c;
        c.id = id;
        c.ons = ons;
        c.name = name;
        card.councils.push_back(c);
    }
    return card;
}

std::string failure_of(const std::string& hexjson) {
    Card card = three_councils();
    try {
        place_on_hexmap(card, hexjson, "map.hexjson");
    } catch (const ImportFailure& e) {
        for (const auto& c : card.councils) CHECK(!c.hex);  // nothing changed
        return e.error().what();
    }
    return "<no failure>";
}

}  // namespace

TEST_CASE("hexmap: councils are placed by ONS code and the others named", "[import][hexmap]") {
    Card card = three_councils();
    auto placed = place_on_hexmap(card, R"({"layout":"odd-r","hexes":{
        "E06000001":{"n":"Hartlepool","q":8,"r":19},"E06000099":{"q":1,"r":1},"E06000002":{"q":-2,"r":18}}})",
                                  "map.hexjson");
    CHECK(placed.placed == 2);
    REQUIRE(placed.unplaced == std::vector<std::string>{"Nowhere (no ONS code)"});
    REQUIRE(card.councils[0].hex);
    CHECK(card.councils[0].hex->q == 8);
    CHECK(card.councils[0].hex->r == 19);
    CHECK(card.councils[1].hex->q == -2);
    CHECK(!card.councils[2].hex);
    // The card carries the positions, and reads them back.
    card.election.id = "local.2022-05-05";
    Party p;
    p.code = "LAB";
    card.parties.push_back(p);
    for (auto& c : card.councils) {
        Ward w;
        w.id = c.id + ".w";
        w.name = "W";
        c.wards.push_back(w);
        c.size = 1;
    }
    auto again = parse_card(card_to_json(card));
    INFO(again.error.message());
    REQUIRE(again.ok());
    CHECK(again.value->councils[0].hex->q == 8);
    CHECK(again.value->councils[1].hex->r == 18);
    CHECK(!again.value->councils[2].hex);
}

TEST_CASE("hexmap: a map that is not odd-r HexJSON is refused naming the file and the fault", "[import][hexmap]") {
    CHECK(failure_of("[1,2") .starts_with("map.hexjson: not JSON ("));
    CHECK(failure_of(R"({"layout":"odd-q","hexes":{}})") ==
          "map.hexjson: \"layout\": expected \"odd-r\" (the page draws odd-r maps), got \"odd-q\"");
    CHECK(failure_of(R"({"hexes":{}})") == "map.hexjson: \"layout\": expected \"odd-r\", got nothing");
    CHECK(failure_of(R"({"layout":"odd-r"})") == "map.hexjson: \"hexes\": expected an object keyed by ONS code");
    CHECK(failure_of(R"({"layout":"odd-r","hexes":{"E06000001":{"q":"8","r":19}}})") ==
          "map.hexjson: \"hexes\".\"E06000001\".q: expected a whole number from -10000 to 10000, got \"8\"");
    CHECK(failure_of(R"({"layout":"odd-r","hexes":{"E06000001":{"q":1,"r":1},"E06000002":{"q":1,"r":1}}})") ==
          "map.hexjson: \"hexes\".\"E06000002\": the cell q=1 r=1 is already E06000001's");
}

TEST_CASE("hexmap: the real 2022 night on the 2021 district layout places 142 of its 146 councils and names the rest", "[import][hexmap][real]") {
    const std::string data = DECLARED_SHARED_DATA;
    if (!std::filesystem::exists(data + "/leh-2022/candidates.csv") ||
        !std::filesystem::exists(data + "/hexmaps/uk-local-authority-districts-2021.hexjson")) {
        std::printf("SKIPPED: %s/leh-2022 or hexmaps is absent\n", data.c_str());
        return;
    }
    ImportOptions opt;
    opt.candidates = data + "/leh-2022/candidates.csv";
    opt.councils = data + "/cbp9545-2022/councils-england.csv";
    auto result = run_import(opt);
    std::ifstream in(data + "/hexmaps/uk-local-authority-districts-2021.hexjson");
    std::stringstream text;
    text << in.rdbuf();
    auto placed = place_on_hexmap(result.card, text.str(), "uk-local-authority-districts-2021.hexjson");
    CHECK(result.card.councils.size() == 146);
    CHECK(placed.placed == 142);
    CHECK(placed.unplaced == std::vector<std::string>{"Cumberland (E06000063)", "North Yorkshire (E06000065)",
                                                      "Somerset (E06000066)", "Westmorland and Furness (E06000064)"});
}
