#include <catch2/catch.hpp>

#include "cluster/pub_ack.hpp"

using namespace declared::cluster;

TEST_CASE("cluster: publish answers are read as stored, duplicate or refused", "[cluster][pub_ack]") {
    auto stored = parse_pub_ack(R"({"stream":"NIGHT","seq":42})");
    REQUIRE(stored.ok());
    CHECK(stored.value->stored());
    CHECK(stored.value->seq == 42);
    CHECK_FALSE(stored.value->duplicate);

    // The server writes the duplicate flag with a space after the colon.
    auto duplicate = parse_pub_ack(R"({"stream":"NIGHT","seq":7,"duplicate": true})");
    REQUIRE(duplicate.ok());
    CHECK(duplicate.value->stored());
    CHECK(duplicate.value->duplicate);

    auto wrong = parse_pub_ack(
        R"({"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 9"},"stream":"NIGHT","seq":0})");
    REQUIRE(wrong.ok());
    CHECK_FALSE(wrong.value->stored());
    CHECK(wrong.value->err_code == kWrongLastSequence);
    CHECK(wrong.value->description == "wrong last sequence: 9");

    auto unavailable = parse_pub_ack(R"({"error":{"code":503,"description":"JetStream system temporarily unavailable"}})");
    REQUIRE(unavailable.ok());
    CHECK(unavailable.value->code == 503);
}

TEST_CASE("cluster: what is no publish answer is refused", "[cluster][pub_ack]") {
    CHECK(parse_pub_ack("").error.code == "cluster_bad_ack");
    CHECK(parse_pub_ack("[1]").error.code == "cluster_bad_ack");
    CHECK(parse_pub_ack(R"({"stream":"NIGHT"})").error.code == "cluster_bad_ack");
    CHECK(parse_pub_ack(R"({"stream":"NIGHT","seq":0})").error.code == "cluster_bad_ack");
    CHECK(parse_pub_ack(R"({"stream":"NIGHT","seq":-3})").error.code == "cluster_bad_ack");
}
