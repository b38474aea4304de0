// The writer claim and the heartbeat: what a node reads from the stream and
// the wire about who writes. Pure.
#include <catch2/catch.hpp>

#include "cluster/writer_claim.hpp"

using namespace declared::cluster;

TEST_CASE("cluster: a writer claim reads back as written", "[cluster][claim]") {
    const WriterClaim c{"0123abcd", "alpha", 41, "takeover", "2026-12-02T03:00:00Z"};
    auto back = decode_claim(encode_claim(c), "stream S, sequence 42");
    INFO(back.error.message());
    REQUIRE(back.ok());
    CHECK(back.value->writer == "0123abcd");
    CHECK(back.value->node == "alpha");
    CHECK(back.value->after == 41);
    CHECK(back.value->reason == "takeover");
    CHECK(back.value->at == "2026-12-02T03:00:00Z");
}

TEST_CASE("cluster: a damaged writer claim is refused with where it is", "[cluster][claim]") {
    for (const char* bad : {"", "[]", R"({"after":3})", R"({"writer":"w"})", R"({"writer":"w","after":-1})",
                            R"({"writer":"w","after":1.5})", R"({"writer":"","after":1})"}) {
        INFO(bad);
        auto r = decode_claim(bad, "stream S, sequence 9");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error.code == "cluster_stream_damaged");
        CHECK(r.error.path == "stream S, sequence 9");
    }
}

TEST_CASE("cluster: a heartbeat reads back, resigning or not, and anything else is ignored", "[cluster][claim]") {
    auto h = decode_heartbeat(encode_heartbeat({"w1", "alpha", false}));
    REQUIRE(h);
    CHECK(h->writer == "w1");
    CHECK(h->node == "alpha");
    CHECK_FALSE(h->resigning);
    auto last = decode_heartbeat(encode_heartbeat({"w1", "alpha", true}));
    REQUIRE(last);
    CHECK(last->resigning);
    for (const char* stray : {"", "null", "{}", R"({"node":"alpha"})", "not json"}) {
        INFO(stray);
        CHECK_FALSE(decode_heartbeat(stray));
    }
}
