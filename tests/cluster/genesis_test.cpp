#include <catch2/catch.hpp>

#include <string>

#include "cluster/genesis.hpp"

using namespace declared::cluster;

TEST_CASE("cluster: a genesis record round-trips and embeds the card when it fits", "[cluster][genesis]") {
    const std::string card = R"({"election":"local.2022-05-05","councils":[]})";
    const Genesis g = make_genesis(card, false, 1 << 20, "2026-12-02T01:00:00Z");
    CHECK(g.epoch.size() == 32);
    CHECK(g.card_sha256 == sha256_hex(card));
    CHECK(g.card == card);
    CHECK(g.card_bytes == card.size());

    auto back = decode_genesis(encode_genesis(g), "stream S, sequence 1");
    REQUIRE(back.ok());
    CHECK(back.value->epoch == g.epoch);
    CHECK(back.value->card == card);
    CHECK(back.value->created_at == g.created_at);
    CHECK(check_genesis(*back.value, card, false, "here").code.empty());

    SECTION("two streams get different epochs") { CHECK(make_genesis(card, false, 1 << 20, "").epoch != g.epoch); }
    SECTION("a card too large for one message is left out, its digest kept") {
        const Genesis small = make_genesis(card, false, 200, "");
        CHECK(small.card.empty());
        CHECK(encode_genesis(small).size() <= 200);
        auto decoded = decode_genesis(encode_genesis(small), "here");
        REQUIRE(decoded.ok());
        CHECK(check_genesis(*decoded.value, card, false, "here").code.empty());
    }
}

TEST_CASE("cluster: a genesis of another card is refused with both digests", "[cluster][genesis]") {
    const Genesis g = make_genesis("card one", false, 1 << 20, "2026-12-02T01:00:00Z");
    const auto e = check_genesis(g, "card two", false, "stream S at nats://x, sequence 1");
    CHECK(e.code == "cluster_wrong_card");
    CHECK(e.path == "stream S at nats://x, sequence 1");
    CHECK(e.expected.find(sha256_hex("card two")) != std::string::npos);
    CHECK(e.got.find(sha256_hex("card one")) != std::string::npos);
    CHECK(e.got.find(g.epoch) != std::string::npos);
}

TEST_CASE("cluster: a damaged genesis record is refused", "[cluster][genesis]") {
    CHECK(decode_genesis("not json", "here").error.code == "cluster_bad_genesis");
    CHECK(decode_genesis(R"({"v":1,"received_at":"x","declaration":{}})", "here").error.code == "cluster_bad_genesis");
    CHECK(decode_genesis(R"({"genesis":2})", "here").error.got.find("version 2") != std::string::npos);
    CHECK(decode_genesis(R"({"genesis":1,"epoch":"xyz"})", "here").error.code == "cluster_bad_genesis");
    const std::string desk_not_bool = R"({"genesis":1,"epoch":"00000000000000000000000000000000","card_sha256":")" +
                                      sha256_hex("c") + R"(","card_bytes":1,"desk":"yes"})";
    CHECK(decode_genesis(desk_not_bool, "here").error.expected == "desk as true or false");

    Genesis g = make_genesis("the card", false, 1 << 20, "");
    g.card = "another card";  // embedded bytes that do not match the digest
    auto decoded = decode_genesis(encode_genesis(g), "here");
    REQUIRE(decoded.ok());
    CHECK(check_genesis(*decoded.value, "the card", false, "here").code == "cluster_bad_genesis");
}

TEST_CASE("cluster: a genesis records the desk setting, and a node with the other one is refused", "[cluster][genesis]") {
    const std::string card = "the card";
    for (const bool desk : {true, false}) {
        auto back = decode_genesis(encode_genesis(make_genesis(card, desk, 1 << 20, "")), "here");
        REQUIRE(back.ok());
        REQUIRE(back.value->desk.has_value());
        CHECK(*back.value->desk == desk);
        CHECK(check_genesis(*back.value, card, desk, "here").code.empty());
        const auto e = check_genesis(*back.value, card, !desk, "stream S, sequence 1");
        CHECK(e.code == "cluster_wrong_desk");
        CHECK(e.path == "stream S, sequence 1");
        CHECK(e.got.find(desk ? "started for nodes with a results desk" : "started for nodes without a results desk") !=
              std::string::npos);
    }
    // A genesis written before the setting was recorded says nothing, and is not checked.
    Genesis old = make_genesis(card, true, 1 << 20, "");
    old.desk.reset();
    auto decoded = decode_genesis(encode_genesis(old), "here");
    REQUIRE(decoded.ok());
    CHECK_FALSE(decoded.value->desk.has_value());
    CHECK(check_genesis(*decoded.value, card, false, "here").code.empty());
    CHECK(check_genesis(*decoded.value, card, true, "here").code.empty());
}
