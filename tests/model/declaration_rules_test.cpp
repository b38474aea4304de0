// What a declaration may say (issue 13): figures that cannot be, the time it
// was declared, resends that are not conflicts, and ties decided by lot.
#include <catch2/catch.hpp>

#include <string>

#include <boost/json.hpp>

#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"
#include "model/validate.hpp"
#include "tests/support/small_card.hpp"

using namespace declared;
namespace json = boost::json;

namespace {

Card small_card() {
    auto r = parse_card(testing::kSmallCard);
    REQUIRE(r.ok());
    return std::move(*r.value);
}

Declaration parse(std::string_view text) {
    DeclarationParser p;
    auto r = p.parse(text);
    INFO(r.error.message());
    REQUIRE(r.ok());
    return std::move(*r.value);
}

std::string with(std::string_view from, std::string_view to, std::string base = std::string(testing::kBrook)) {
    auto at = base.find(from);
    REQUIRE(at != std::string::npos);
    return base.replace(at, from.size(), to);
}

Error rejected(const Card& card, const std::string& text) {
    Declaration d = parse(text);
    auto e = validate(card, d);
    REQUIRE(e.has_value());
    return *e;
}

// Abbey, three seats: A 900, B 800 elected; C, D, E tied on 700 for the third.
std::string abbey_tie(std::string_view lots, bool c, bool d, bool e) {
    auto b = [](bool x) { return x ? "true" : "false"; };
    return std::string(R"({"id": "a", "council": "local.testham.2022-05-05", "ward": "local.testham.abbey.2022-05-05", "revision": 1, "declared_at": "2022-05-06T02:00:00Z", )") +
           std::string(lots) + R"("candidates": [{"name": "A", "party": "LAB", "votes": 900, "elected": true}, {"name": "B", "party": "LAB", "votes": 800, "elected": true}, {"name": "C", "party": "CON", "votes": 700, "elected": )" +
           b(c) + R"(}, {"name": "D", "party": "LD", "votes": 700, "elected": )" + b(d) +
           R"(}, {"name": "E", "party": "CON", "votes": 700, "elected": )" + b(e) + "}]}";
}

}  // namespace

TEST_CASE("declaration: impossible figures are rejected with the path and both numbers", "[validate][figures]") {
    Card card = small_card();
    SECTION("more ballots than electors") {
        Error e = rejected(card, with(R"("ballots": 1500)", R"("ballots": 5001)"));
        CHECK(e.code == "impossible_figures");
        CHECK(e.path == "ballots");
        CHECK(e.expected == "at most the electorate (5000)");
        CHECK(e.got == "5001");
    }
    SECTION("more rejected ballots than ballots") {
        Error e = rejected(card, with(R"("rejected": 3)", R"("rejected": 1501)"));
        CHECK(e.code == "impossible_figures");
        CHECK(e.path == "rejected");
        CHECK(e.expected == "at most the ballots counted (1500)");
        CHECK(e.got == "1501");
    }
    SECTION("more votes than valid ballots times seats") {
        // 1500 ballots, 3 rejected: at most 1497 votes for one seat.
        Error e = rejected(card, with(R"("votes": 100)", R"("votes": 148)"));
        CHECK(e.code == "impossible_figures");
        CHECK(e.path == "candidates");
        CHECK(e.expected == "at most valid ballots x seats (1497 x 1 = 1497) votes in all");
        CHECK(e.got == "1498");
    }
    SECTION("exactly valid ballots times seats is possible") {
        Declaration d = parse(with(R"("votes": 100)", R"("votes": 147)"));
        CHECK_FALSE(validate(card, d).has_value());
    }
}

TEST_CASE("declaration: an unopposed ward has no turnout and stays out of the national one", "[tally][figures]") {
    Card card = small_card();
    Tally t(card);
    t.start();
    Declaration d = parse(R"({"id": "b", "council": "local.testham.2022-05-05", "ward": "local.testham.brook.2022-05-05", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "electorate": 4000, "ballots": 0, "candidates": [{"name": "A", "party": "LAB", "elected": true}]})");
    REQUIRE(t.assess(d).accepted());
    auto events = t.apply(d, "2022-05-06T01:00:01Z");
    auto ward = json::parse(*events.front().json).as_object();
    CHECK(ward.at("data").at("turnout_bp").is_null());
    auto s = json::parse(t.summary_json()).as_object();
    CHECK(s.at("turnout").at("electorate").as_int64() == 0);
    CHECK(s.at("turnout").at("ballots").as_int64() == 0);
}

TEST_CASE("declaration: declared_at is ISO 8601 UTC, not before polling day", "[validate][time]") {
    Card card = small_card();
    auto at = [&](std::string_view t) { return with(R"("2022-05-06T01:00:00Z")", "\"" + std::string(t) + "\""); };
    for (std::string ok : {"2022-05-05T23:59:59Z", "2022-05-06T01:00:00.250Z", "2022-05-06T01:00:00+00:00",
                           "2022-05-27T12:00:00Z"}) {
        INFO(ok);
        Declaration d = parse(at(ok));
        CHECK_FALSE(validate(card, d).has_value());
    }
    for (std::string bad : {"sometime friday", "2022-05-06 01:00:00Z", "2022-05-06T01:00:00", "2022-05-06T01:00:00+01:00",
                            "2022-13-06T01:00:00Z", "2022-02-30T01:00:00Z", "2022-05-06T24:00:00Z", "2022-05-06T01:60:00Z"}) {
        INFO(bad);
        Error e = rejected(card, at(bad));
        CHECK(e.code == "bad_time");
        CHECK(e.path == "declared_at");
        CHECK(e.expected == "an ISO 8601 UTC time, e.g. 2022-05-06T01:30:00Z");
    }
    Error early = rejected(card, at("2022-05-04T23:00:00Z"));
    CHECK(early.code == "before_polling_day");
    CHECK(early.path == "declared_at");
    CHECK(early.expected == "a time on or after polling day, 2022-05-05");
    CHECK(early.got == "\"2022-05-04T23:00:00Z\"");
}

TEST_CASE("declaration: a resend of the same result is a duplicate, whatever its order, id, source or time", "[tally][resend]") {
    Card card = small_card();
    Tally t(card);
    t.start();
    Declaration first = parse(testing::kBrook);
    REQUIRE(t.assess(first).verdict == Verdict::fresh);
    t.apply(first, "2022-05-06T01:00:01Z");
    const auto seq = t.last_seq();

    // Candidates in another order, another id, source and declared_at, a party by alias.
    Declaration resend = parse(R"({"id": "pa:brook", "council": "local.testham.2022-05-05", "ward": "local.testham.brook.2022-05-05", "revision": 1, "source": "pa", "declared_at": "2022-05-06T01:05:00Z", "electorate": 5000, "ballots": 1500, "rejected": 3, "candidates": [{"name": "Brown C.", "party": "LD", "votes": 100, "elected": false}, {"name": "Jones B.", "party": "C", "votes": 650, "elected": false}, {"name": "Smith A.", "party": "LAB", "votes": 700, "elected": true}]})");
    CHECK(t.assess(resend).verdict == Verdict::duplicate);
    CHECK(t.last_seq() == seq);

    // A different result at the same revision is a conflict, and the first stands.
    for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
             {R"("votes": 100)", R"("votes": 101)"},
             {R"("electorate": 5000)", R"("electorate": 5001)"},
             {R"("ballots": 1500)", R"("ballots": 1499)"},
             {R"("rejected": 3)", R"("rejected": 4)"},
             {R"("name": "Brown C.")", R"("name": "Green D.")"},
             {R"("party": "LD")", R"("party": "IND")"}}) {
        INFO(to);
        Declaration d = parse(with(from, to));
        Assessment a = t.assess(d);
        CHECK(a.verdict == Verdict::conflict);
        CHECK(a.error.code == "conflict");
    }
}

TEST_CASE("lots: every candidate tied at the boundary is named", "[validate][lots]") {
    Card card = small_card();
    // Three tied on 700 for one seat; lots naming two of them is not enough.
    Error e = rejected(card, abbey_tie(R"("lots": {"between": ["C", "D"], "winner": "C"}, )", true, false, false));
    CHECK(e.code == "tie_without_lots");
    CHECK(e.path == "lots.between");
    CHECK(e.expected == "every candidate tied at the boundary with 700 votes: \"C\", \"D\", \"E\"");
    CHECK(e.got == "\"C\", \"D\"");
    Declaration ok = parse(abbey_tie(R"("lots": {"between": ["C", "D", "E"], "winner": "C"}, )", true, false, false));
    CHECK_FALSE(validate(card, ok).has_value());
}

TEST_CASE("lots may decide more than one seat", "[validate][lots][tally]") {
    // Abbey: A 900 elected; B, C, D tied on 700 for the other two seats.
    const std::string two = R"({"id": "a", "council": "local.testham.2022-05-05", "ward": "local.testham.abbey.2022-05-05", "revision": 1, "declared_at": "2022-05-06T02:00:00Z", "lots": {"between": ["B", "C", "D"], "winners": ["B", "D"]}, "candidates": [{"name": "A", "party": "LAB", "votes": 900, "elected": true}, {"name": "B", "party": "LAB", "votes": 700, "elected": true}, {"name": "C", "party": "CON", "votes": 700, "elected": false}, {"name": "D", "party": "LD", "votes": 700, "elected": true}]})";
    Card card = small_card();
    Declaration d = parse(two);
    CHECK(d.lots->winners == std::vector<std::string>{"B", "D"});
    CHECK_FALSE(validate(card, d).has_value());
    // Written back as it came.
    CHECK(parse(declaration_to_json(d)) == d);

    // The winners must be exactly the tied candidates elected.
    Error e = rejected(card, with(R"("winners": ["B", "D"])", R"("winners": ["B"])", two));
    CHECK(e.code == "bad_lots");
    CHECK(e.path == "lots.winner");
    CHECK(e.expected == "the tied candidates elected: \"B\", \"D\"");
    CHECK(e.got == "\"B\"");

    Tally t(card);
    t.start();
    REQUIRE(t.assess(d).accepted());
    auto ward = json::parse(*t.apply(d, "2022-05-06T02:00:01Z").front().json).as_object();
    const auto& lots = ward.at("data").at("lots").as_object();
    CHECK(lots.at("winners").as_array() == json::array{"B", "D"});
    CHECK(lots.at("winner").is_null());
}
