#include <catch2/catch.hpp>

#include <string>

#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"
#include "model/validate.hpp"
#include "tests/support/small_card.hpp"

using namespace declared;

namespace {

Card small_card() {
    auto r = parse_card(testing::kSmallCard);
    REQUIRE(r.ok());
    return std::move(*r.value);
}

Declaration parse(std::string_view json) {
    DeclarationParser p;
    auto r = p.parse(json);
    INFO(r.error.message());
    REQUIRE(r.ok());
    return std::move(*r.value);
}

std::string with(std::string_view from, std::string_view to, std::string base = std::string(testing::kBrook)) {
    auto at = base.find(from);
    REQUIRE(at != std::string::npos);
    return base.replace(at, from.size(), to);
}

const std::string kAbbey = R"({"id": "a", "council": "local.testham.2022-05-05", "ward": "local.testham.abbey.2022-05-05", "revision": 1, "declared_at": "2022-05-06T02:00:00Z", "candidates": [{"name": "A", "party": "LAB", "votes": 900, "elected": true}, {"name": "B", "party": "LAB", "votes": 800, "elected": true}, {"name": "C", "party": "CON", "votes": 700, "elected": true}, {"name": "D", "party": "CON", "votes": 600, "elected": false}]})";

}  // namespace

TEST_CASE("validate: a good declaration passes and aliases become codes", "[validate]") {
    Card card = small_card();
    Declaration d = parse(testing::kBrook);
    CHECK_FALSE(validate(card, d).has_value());
    CHECK(d.candidates[0].party == "LAB");
}

TEST_CASE("validate: unopposed, mayoral and tie-by-lot declarations pass", "[validate]") {
    Card card = small_card();
    Declaration unopposed = parse(R"({"id": "b", "council": "local.testham.2022-05-05", "ward": "local.testham.brook.2022-05-05", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "candidates": [{"name": "A", "party": "LAB", "elected": true}]})");
    CHECK_FALSE(validate(card, unopposed).has_value());
    Declaration mayor = parse(R"({"id": "m", "council": "local.testham.2022-05-05", "ward": "mayor.testham.2022-05-05", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "candidates": [{"name": "A", "party": "CON", "votes": 10, "elected": true}, {"name": "B", "party": "LAB", "votes": 9, "elected": false}]})");
    CHECK_FALSE(validate(card, mayor).has_value());
    Declaration tie = parse(with(R"("votes": 650, "elected": false)", R"("votes": 700, "elected": false)",
                                 with(R"("votes": 100)", R"("votes": 50)", with(R"("candidates")", R"("lots": {"between": ["Smith A.", "Jones B."], "winner": "Smith A."}, "candidates")"))));
    CHECK_FALSE(validate(card, tie).has_value());
}

TEST_CASE("validate: every malformed declaration is rejected precisely and changes nothing", "[validate]") {
    struct Case {
        std::string name, json, code, path;
    };
    const std::string lots = R"("lots": {"between": ["Smith A.", "Jones B."], "winner": "Smith A."}, "candidates")";
    const Case cases[] = {
        {"unknown council", with("\"local.testham.2022-05-05\"", "\"local.nowhere.2022-05-05\""), "unknown_council", "council"},
        {"unknown ward", with(R"("ward": "local.testham.brook.2022-05-05")", R"("ward": "local.testham.moor.2022-05-05")"), "unknown_ward", "ward"},
        {"unknown party", with(R"("party": "LD")", R"("party": "UKIP")"), "unknown_party", "candidates[2].party"},
        {"postponed poll", with(R"("ward": "local.testham.brook.2022-05-05")", R"("ward": "local.testham.carr.2022-05-05")"), "postponed_poll", "ward"},
        {"too many elected", with(R"("votes": 650, "elected": false)", R"("votes": 650, "elected": true)"), "elected_count", "candidates"},
        {"nobody elected", with(R"("votes": 700, "elected": true)", R"("votes": 700, "elected": false)"), "elected_count", "candidates"},
        {"extra seats in a multi-seat ward", with(R"("votes": 600, "elected": false)", R"("votes": 600, "elected": true)", kAbbey), "elected_count", "candidates"},
        {"elected below unelected", with(R"("votes": 700, "elected": true)", R"("votes": 600, "elected": true)"), "elected_below_unelected", "candidates[0].elected"},
        {"tie without lots", with(R"("votes": 650, "elected": false)", R"("votes": 700, "elected": false)", with(R"("votes": 100)", R"("votes": 50)")), "tie_without_lots", "lots"},
        {"lots between unequal candidates", with(R"("candidates")", lots), "bad_lots", "lots.between[1]"},
        {"lots naming a stranger", with(R"("candidates")", R"("lots": {"between": ["Smith A.", "Nobody"], "winner": "Smith A."}, "candidates")"), "unknown_candidate", "lots.between[1]"},
        {"lots winner not elected", with(R"("votes": 650, "elected": false)", R"("votes": 700, "elected": false)",
                                        with(R"("votes": 100)", R"("votes": 50)", with(R"("candidates")", R"("lots": {"between": ["Smith A.", "Jones B."], "winner": "Jones B."}, "candidates")"))), "bad_lots", "lots.winner"},
        {"duplicate candidate", with(R"("name": "Brown C.")", R"("name": "Jones B.")"), "duplicate_candidate", "candidates[2].name"},
        {"some votes missing", with(R"("votes": 100, )", ""), "mixed_votes", "candidates[2].votes"},
        {"contested poll without votes", R"({"id": "b", "council": "local.testham.2022-05-05", "ward": "local.testham.brook.2022-05-05", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "candidates": [{"name": "A", "party": "LAB", "elected": true}, {"name": "B", "party": "CON", "elected": false}]})", "missing_votes", "candidates"},
    };

    Card card = small_card();
    Tally tally(card);
    tally.start();
    Declaration abbey = parse(kAbbey);
    REQUIRE(tally.assess(abbey).verdict == Verdict::fresh);
    tally.apply(abbey, "2022-05-06T02:00:05Z");
    const std::string before = tally.summary_json();
    const auto seq = tally.last_seq();

    for (const auto& c : cases) {
        INFO(c.name);
        Declaration d = parse(c.json);
        Declaration stateless = d;
        auto e = validate(card, stateless);
        REQUIRE(e.has_value());
        CHECK(e->code == c.code);
        CHECK(e->path == c.path);
        Assessment a = tally.assess(d);
        CHECK(a.verdict == Verdict::rejected);
        CHECK(a.error.code == c.code);
        CHECK(tally.summary_json() == before);
        CHECK(tally.last_seq() == seq);
    }
}

TEST_CASE("validate: revisions: duplicate, stale and conflict change nothing", "[validate]") {
    Card card = small_card();
    Tally tally(card);
    tally.start();
    Declaration r2 = parse(with(R"("revision": 1)", R"("revision": 2)"));
    REQUIRE(tally.assess(r2).verdict == Verdict::fresh);
    tally.apply(r2, "2022-05-06T01:00:01Z");
    const std::string before = tally.summary_json();
    const auto seq = tally.last_seq();

    Declaration same = parse(with(R"("revision": 1)", R"("revision": 2)"));
    CHECK(tally.assess(same).verdict == Verdict::duplicate);

    Declaration old = parse(testing::kBrook);
    Assessment stale = tally.assess(old);
    CHECK(stale.verdict == Verdict::stale);
    CHECK(stale.error.code == "stale_revision");
    CHECK(stale.error.path == "revision");

    Declaration conflicting = parse(with(R"("votes": 100)", R"("votes": 101)", with(R"("revision": 1)", R"("revision": 2)")));
    Assessment conflict = tally.assess(conflicting);
    CHECK(conflict.verdict == Verdict::conflict);
    CHECK(conflict.error.code == "conflict");

    Declaration newer = parse(with(R"("revision": 1)", R"("revision": 3)"));
    CHECK(tally.assess(newer).verdict == Verdict::correction);

    CHECK(tally.summary_json() == before);
    CHECK(tally.last_seq() == seq);
}
