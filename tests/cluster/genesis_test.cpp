#include <catch2/catch.hpp>

#include <string>

#include "cluster/genesis.hpp"

using namespace declared::cluster;

TEST_CASE("cluster: a genesis record round-trips and embeds the card when it fits", "[cluster][genesis]") {
    const std::string card = R"({"election":"local.2022-05-05","councils":[]})";
    const Genesis g = make_genesis(card, 1 << 20, "2026-12-02T01:00:00Z");
    CHECK(g.epoch.size() == 32);
    CHECK(g.card_sha256 == sha256_hex(card));
    CHECK(g.card == card);
    CHECK(g.card_bytes == card.size());

    auto back = decode_genesis(encode_genesis(g), "stream S, sequence 1");
    REQUIRE(back.ok());
    CHECK(back.value->epoch == g.epoch);
    CHECK(back.value->card == card);
    CHECK(back.value->created_at == g.created_at);
    CHECK(check_genesis(*back.value, card, "here").code.empty());

    SECTION("two streams get different epochs") { CHECK(make_genesis(card, 1 << 20, "").epoch != g.epoch); }
    SECTION("a card too large for one message is left out, its digest kept") {
        const Genesis small = make_genesis(card, 200, "");
        CHECK(small.card.empty());
        CHECK(encode_genesis(small).size() <= 200);
        auto decoded = decode_genesis(encode_genesis(small), "here");
        REQUIRE(decoded.ok());
        CHECK(check_genesis(*decoded.value, card, "here").code.empty());
    }
}

TEST_CASE("cluster: a genesis of another card is refused with both digests", "[cluster][genesis]") {
    const Genesis g = make_genesis("card one", 1 << 20, "2026-12-02T01:00:00Z");
    const auto e = check_genesis(g, "card two", "stream S at nats://x, sequence 1");
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

    Genesis g = make_genesis("the card", 1 << 20, "");
    g.card = "another card";  // embedded bytes that do not match the digest
    auto decoded = decode_genesis(encode_genesis(g), "here");
    REQUIRE(decoded.ok());
    CHECK(check_genesis(*decoded.value, "the card", "here").code == "cluster_bad_genesis");
}
