// A journal entry round-trips exactly, and an entry that is not of the layout
// encode_entry() writes is refused with a clear error.
#include <catch2/catch.hpp>

#include "ingest/journal_entry.hpp"

using namespace declared;

TEST_CASE("journal entry: encode then decode gives the same declaration and receipt time", "[ingest]") {
    DeclarationParser parser;
    auto d = parser.parse(
        R"({"id":"x","council":"c","ward":"w","revision":2,"source":"drop:a \"b\" é","declared_at":"2022-05-06T01:00:00Z",)"
        R"("candidates":[{"name":"Smith A.","party":"LAB","votes":10,"elected":true}]})");
    REQUIRE(d.ok());
    const std::string record = encode_entry("2022-05-06T01:00:01.123Z", *d.value);
    auto back = decode_entry(record, parser);
    REQUIRE(back.ok());
    CHECK(back.value->received_at == "2022-05-06T01:00:01.123Z");
    CHECK(declaration_to_json(back.value->declaration) == declaration_to_json(*d.value));
    CHECK(encode_entry(back.value->received_at, back.value->declaration) == record);
}

TEST_CASE("journal entry: another layout or a damaged declaration is refused", "[ingest]") {
    DeclarationParser parser;
    for (const char* bad : {R"({"v":2,"received_at":"t","declaration":{}})", R"({"received_at":"t","v":1})",
                            R"({"v":1,"received_at":"t"})", R"({"v":1,"received_at":"t","declaration":{"id":"x"}})",
                            R"({"v":1,"received_at":"t\"","declaration":{}})", ""}) {
        INFO(bad);
        auto r = decode_entry(bad, parser);
        CHECK_FALSE(r.ok());
        CHECK(!r.error.code.empty());
    }
}

TEST_CASE("journal entry: a record written before desk actions existed decodes as a declaration", "[ingest][desk]") {
    DeclarationParser parser;
    // The bytes of a version-1 declaration record, as every journal so far holds them.
    const std::string old = R"({"v":1,"received_at":"2022-05-06T01:00:01.123Z","declaration":{"id":"x","council":"c",)"
                            R"("ward":"w","revision":1,"declared_at":"2022-05-06T01:00:00Z",)"
                            R"("candidates":[{"name":"A","party":"LAB","votes":1,"elected":true}]}})";
    auto r = decode_entry(old, parser);
    INFO(r.error.message());
    REQUIRE(r.ok());
    CHECK_FALSE(r.value->desk);
    CHECK(r.value->declaration.ward == "w");
    CHECK(encode_entry(r.value->received_at, r.value->declaration) == old);
}

TEST_CASE("journal entry: a desk action round-trips with who, when and why", "[ingest][desk]") {
    DeclarationParser parser;
    DeskAction a;
    a.kind = DeskKind::override_call;
    a.by = "Sam \"night\" Jones";
    a.council = "c";
    a.control = "NOC";
    a.reason = "all four outstanding wards are safe — é";
    const std::string record = encode_entry("2022-05-06T02:00:00.000Z", a);
    CHECK(record.starts_with(R"({"v":1,"received_at":"2022-05-06T02:00:00.000Z","desk":{"action":"override",)"));
    auto back = decode_entry(record, parser);
    REQUIRE(back.ok());
    REQUIRE(back.value->desk);
    CHECK(back.value->received_at == "2022-05-06T02:00:00.000Z");
    CHECK(back.value->desk->by == a.by);
    CHECK(back.value->desk->control == "NOC");
    CHECK(back.value->desk->reason == a.reason);
    CHECK(encode_entry(back.value->received_at, *back.value->desk) == record);
    // A desk record without who did it is refused, like any damaged entry.
    auto nameless = decode_entry(R"({"v":1,"received_at":"t","desk":{"action":"lift_embargo","reason":"r"}})", parser);
    CHECK_FALSE(nameless.ok());
    CHECK(nameless.error.path == "by");
}
