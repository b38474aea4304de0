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
