#include <catch2/catch.hpp>

#include <string>

#include "model/declaration_json.hpp"
#include "tests/support/small_card.hpp"

using namespace declared;

namespace {

Error parse_error(std::string_view json) {
    DeclarationParser p;
    auto r = p.parse(json);
    REQUIRE_FALSE(r.ok());
    return r.error;
}

std::string with(std::string_view from, std::string_view to) {
    std::string s(testing::kBrook);
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("declaration: parses every field", "[declaration]") {
    DeclarationParser p;
    auto r = p.parse(testing::kBrook);
    REQUIRE(r.ok());
    const Declaration& d = *r.value;
    CHECK(d.council == "local.testham.2022-05-05");
    CHECK(d.revision == 1);
    CHECK(d.electorate == 5000);
    CHECK(d.ballots == 1500);
    CHECK(d.rejected == 3);
    REQUIRE(d.candidates.size() == 3);
    CHECK(d.candidates[0].name == "Smith A.");
    CHECK(d.candidates[0].party == "Lab");
    CHECK(d.candidates[0].votes == 700);
    CHECK(d.candidates[0].elected);
    CHECK_FALSE(d.lots);
    CHECK_FALSE(d.uncontested());
}

TEST_CASE("declaration: round trip through JSON is lossless", "[declaration]") {
    DeclarationParser p;
    auto a = p.parse(with(R"("candidates")", R"("lots": {"between": ["Smith A.", "Jones B."], "winner": "Smith A."}, "candidates")"));
    REQUIRE(a.ok());
    std::string json = declaration_to_json(*a.value);
    auto b = p.parse(json);
    REQUIRE(b.ok());
    CHECK(*b.value == *a.value);
    CHECK(declaration_to_json(*b.value) == json);
}

TEST_CASE("declaration: unopposed candidates have no votes", "[declaration]") {
    DeclarationParser p;
    auto r = p.parse(R"({"id":"x","council":"c","ward":"w","revision":1,"declared_at":"t","candidates":[{"name":"A","party":"LAB","elected":true},{"name":"B","party":"LAB","votes":null,"elected":true}]})");
    REQUIRE(r.ok());
    CHECK(r.value->uncontested());
}

TEST_CASE("declaration: malformed input names the field, what was expected and what came", "[declaration]") {
    struct Case {
        std::string json;
        std::string code, path;
    };
    const Case cases[] = {
        {"", "invalid_json", ""},
        {std::string(testing::kBrook).substr(0, 80), "invalid_json", ""},
        {"[1,2]", "wrong_type", ""},
        {"\"hello\"", "wrong_type", ""},
        {with(R"("revision": 1)", R"("revision": "1")"), "wrong_type", "revision"},
        {with(R"("revision": 1)", R"("revision": 0)"), "out_of_range", "revision"},
        {with(R"("revision": 1)", R"("revision": 1.5)"), "not_integer", "revision"},
        {with(R"("revision": 1, )", ""), "missing_field", "revision"},
        {with(R"("council": "local.testham.2022-05-05", )", ""), "missing_field", "council"},
        {with(R"("id": "local.testham.brook.2022-05-05")", R"("id": "")"), "empty_string", "id"},
        {with(R"("id")", R"("idd")"), "unknown_field", "idd"},
        {with(R"("votes": 650)", R"("votes": -5)"), "out_of_range", "candidates[1].votes"},
        {with(R"("votes": 650)", R"("votes": 650.5)"), "not_integer", "candidates[1].votes"},
        {with(R"("votes": 650)", R"("votes": 99999999999999999999)"), "invalid_json", ""},
        {with(R"("votes": 650)", R"("votes": 18446744073709551615)"), "out_of_range", "candidates[1].votes"},
        {with(R"("votes": 650)", R"("votes": 100000001)"), "out_of_range", "candidates[1].votes"},
        {with(R"("votes": 650)", R"("votes": "650")"), "wrong_type", "candidates[1].votes"},
        {with(R"("elected": false})", R"("elected": "no"})"), "wrong_type", "candidates[1].elected"},
        {with(R"("party": "CON", )", ""), "missing_field", "candidates[1].party"},
        {with(R"("party": "CON")", R"("party": "CON", "colour": "blue")"), "unknown_field", "candidates[1].colour"},
        {with(R"("candidates": [)", R"("candidates": [7, )"), "wrong_type", "candidates[0]"},
        {R"({"id":"x","council":"c","ward":"w","revision":1,"declared_at":"t","candidates":[]})", "no_candidates", "candidates"},
        {R"({"id":"x","council":"c","ward":"w","revision":1,"declared_at":"t","candidates":{}})", "wrong_type", "candidates"},
        {with(R"("candidates")", R"("lots": {"between": "Smith A.", "winner": "Smith A."}, "candidates")"), "wrong_type", "lots.between"},
        {with(R"("candidates")", R"("lots": {"between": ["Smith A."]}, "candidates")"), "missing_field", "lots.winner"},
        {with("Smith A.", "Smith \xff"), "invalid_json", ""},
        {std::string(2000, '[') + std::string(2000, ']'), "invalid_json", ""},
        {with(R"("electorate": 5000)", R"("electorate": -1)"), "out_of_range", "electorate"},
    };
    for (const auto& c : cases) {
        INFO(c.json.substr(0, 200));
        Error e = parse_error(c.json);
        CHECK(e.code == c.code);
        CHECK(e.path == c.path);
        CHECK_FALSE(e.expected.empty());
        CHECK_FALSE(e.got.empty());
    }
}

TEST_CASE("declaration: error message reads path, expected, got", "[declaration]") {
    Error e = parse_error(with(R"("votes": 650)", R"("votes": -5)"));
    CHECK(e.message() == "candidates[1].votes: expected an integer from 0 to 100000000, got -5");
}

TEST_CASE("declaration: oversized input is refused before parsing", "[declaration]") {
    std::string big = with(R"("source": "test")", R"("source": ")" + std::string(2 << 20, 'x') + "\"");
    Error e = parse_error(big);
    CHECK(e.code == "too_large");
}
