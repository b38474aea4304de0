// What the card means once loaded (issue 13): party references resolved to
// codes, control before judged on the size before, unknown control before,
// independents. Each case loads JSON (as a newsroom's card arrives) and, where
// the rule shows in events, runs the tally on it.
#include <catch2/catch.hpp>

#include <string>

#include <boost/json.hpp>

#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"
#include "tests/support/small_card.hpp"

using namespace declared;
namespace json = boost::json;

namespace {

std::string replace(std::string s, std::string_view from, std::string_view to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

Card load(const std::string& text) {
    auto r = parse_card(text);
    INFO(r.error.message());
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

std::vector<json::object> accept(Tally& t, std::string_view text) {
    Declaration d = parse(text);
    auto a = t.assess(d);
    INFO(a.error.message());
    REQUIRE(a.accepted());
    std::vector<json::object> out;
    for (const auto& e : t.apply(d, "2022-05-06T03:00:00Z")) out.push_back(json::parse(*e.json).as_object());
    return out;
}

std::vector<json::object> of_type(const std::vector<json::object>& events, std::string_view type) {
    std::vector<json::object> out;
    for (const auto& e : events)
        if (e.at("type").as_string() == type) out.push_back(e);
    return out;
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

// A council of size 4, all out: two single-seat wards and one two-seat ward.
// The braces in the template are filled by replace().
constexpr std::string_view kCard = R"({
  "format": "declared-card/1",
  "election": {"id": "local.2022-05-05", "date": "2022-05-05"},
  "parties": [
    {"code": "LAB", "aliases": ["Lab"]},
    {"code": "CON", "aliases": ["C"]},
    {"code": "LD"}
  ],
  "councils": [{
    "id": "local.x.2022-05-05", "name": "X", "size": 4, "cycle": "all-out",
    COUNCIL_FIELDS
    "wards": [
      {"id": "local.x.a.2022-05-05", "name": "A", "seats": 1, "last_won": ["C"]},
      {"id": "local.x.b.2022-05-05", "name": "B", "seats": 1, "last_won": ["C"]},
      {"id": "local.x.c.2022-05-05", "name": "C", "seats": 2, "last_won": ["Lab", "LAB"]}
    ],
    "mayors": [{"id": "mayor.x.2022-05-05", "name": "Mayor of X", "previous": "C"}]
  }]
})";

std::string card_with(std::string_view council_fields) {
    return replace(std::string(kCard), "COUNCIL_FIELDS", council_fields);
}

std::string win(std::string_view ward, std::string_view party, std::string_view other = "LD") {
    return R"({"id": "w", "council": "local.x.2022-05-05", "ward": ")" + std::string(ward) +
           R"(", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "candidates": [{"name": "W", "party": ")" +
           std::string(party) + R"(", "votes": 500, "elected": true}, {"name": "L", "party": ")" + std::string(other) +
           R"(", "votes": 100, "elected": false}]})";
}

}  // namespace

TEST_CASE("card: every party reference is normalised to its code at load", "[card][aliases]") {
    Card card = load(card_with(R"("composition": {"C": 3, "Lab": 1}, "control_before": "C",
                                  "continuing": {}, "continuing_vacancies": 0,)"));
    const Council& c = card.councils[0];
    CHECK(c.composition == std::map<std::string, int>{{"CON", 3}, {"LAB", 1}});
    CHECK(c.control_before == "CON");
    CHECK(c.wards[0].last_won == std::vector<std::string>{"CON"});
    CHECK(c.wards[2].last_won == std::vector<std::string>{"LAB", "LAB"});
    CHECK(c.mayors[0].previous == "CON");

    // No event shows an alias: the seat and the council are holds.
    Tally t(card);
    t.start();
    auto a = accept(t, win("local.x.a.2022-05-05", "CON"));
    CHECK(str(of_type(a, "ward_declared")[0].at("text")) == "X, A: CON HOLD");
    auto b = accept(t, win("local.x.b.2022-05-05", "C"));
    CHECK(str(of_type(b, "ward_declared")[0].at("text")) == "X, B: CON HOLD");
    auto m = accept(t, win("mayor.x.2022-05-05", "CON"));
    CHECK(str(of_type(m, "ward_declared")[0].at("text")) == "Mayor of X: CON HOLD");
    auto two = R"({"id": "c", "council": "local.x.2022-05-05", "ward": "local.x.c.2022-05-05", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "candidates": [{"name": "P", "party": "CON", "votes": 500, "elected": true}, {"name": "Q", "party": "LAB", "votes": 400, "elected": true}, {"name": "R", "party": "LD", "votes": 100, "elected": false}]})";
    auto ev = accept(t, two);
    auto call = of_type(ev, "control_called");
    REQUIRE(call.size() == 1);
    CHECK(str(call[0].at("text")) == "X: CON HOLD");
    CHECK(str(call[0].at("data").at("outcome_kind")) == "hold");
    CHECK(str(call[0].at("data").at("control_before")) == "CON");
}

TEST_CASE("card: aliases of one party in a seat map are added together", "[card][aliases]") {
    Card card = load(card_with(R"("composition": {"C": 2, "CON": 1, "LAB": 1}, "continuing": {},)"));
    CHECK(card.councils[0].composition == std::map<std::string, int>{{"CON", 3}, {"LAB", 1}});
    CHECK(card.councils[0].control_before == "CON");
}

TEST_CASE("card: control before is judged on the size before the election", "[card][control_before]") {
    // Re-warded from 60 seats to 50: 30 of 60 on the eve of poll is exactly half, not control.
    std::string text = R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05", "date": "2022-05-05"},
      "parties": [{"code": "LAB"}, {"code": "CON"}, {"code": "LD"}],
      "councils": [{"id": "local.y.2022-05-05", "name": "Y", "size": 50, "size_before": 60,
        "composition": {"LAB": 30, "CON": 28, "LD": 2},
        "wards": [{"id": "local.y.a.2022-05-05", "name": "A", "seats": 25},
                  {"id": "local.y.b.2022-05-05", "name": "B", "seats": 25}]}]})";
    Card card = load(text);
    CHECK(card.councils[0].size_before == 60);
    CHECK(card.councils[0].control_before == "NOC");
    // 31 of 60 would have been LAB control.
    Card lab = load(replace(replace(text, R"("LAB": 30)", R"("LAB": 31)"), R"("LD": 2)", R"("LD": 1)"));
    CHECK(lab.councils[0].control_before == "LAB");
    // Without size_before, the size is the same before and after.
    Card same = load(replace(replace(text, R"("size_before": 60,)", ""), R"("CON": 28, "LD": 2)", R"("CON": 18, "LD": 2)"));
    CHECK(same.councils[0].size_before == 0);
    CHECK(same.councils[0].control_before == "LAB");
}

TEST_CASE("card: no composition and no control before is unknown, not NOC", "[card][control_before]") {
    Card card = load(card_with(R"("continuing": {},)"));
    CHECK(card.councils[0].control_before.empty());
    Tally t(card);
    t.start();
    accept(t, win("local.x.a.2022-05-05", "LAB"));
    auto ev = accept(t, win("local.x.b.2022-05-05", "LAB"));
    auto two = R"({"id": "c", "council": "local.x.2022-05-05", "ward": "local.x.c.2022-05-05", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "candidates": [{"name": "P", "party": "LAB", "votes": 500, "elected": true}, {"name": "Q", "party": "CON", "votes": 400, "elected": true}, {"name": "R", "party": "LD", "votes": 100, "elected": false}]})";
    ev = accept(t, two);
    auto call = of_type(ev, "control_called");
    REQUIRE(call.size() == 1);
    CHECK(str(call[0].at("text")) == "X: LAB control");
    CHECK(str(call[0].at("data").at("outcome_kind")) == "unknown_before");
    CHECK(call[0].at("data").at("control_before").is_null());
    // It counts for LAB, and in no one's change.
    auto sb = of_type(ev, "scoreboard").back().at("data").as_object();
    CHECK(sb.at("councils").at("LAB").at("count").as_int64() == 1);
    CHECK(sb.at("councils").at("LAB").at("change").as_int64() == 0);
    CHECK(sb.at("councils").at("NOC").at("change").as_int64() == 0);
}

TEST_CASE("card: independents never control unless the card says can_control true", "[card][independents]") {
    std::string text = R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05"},
      "parties": [{"code": "LAB"}, {"code": "IND", "name": "Independent"}, {"code": "Ind2", "name": "Ind"},
                  {"code": "INDEPENDENT"}, {"code": "AIP", "name": "Ashfield Independents"},
                  {"code": "ASH", "name": "Ashfield Independents", "can_control": true},
                  {"code": "CON", "can_control": false}],
      "councils": []})";
    Card card = load(text);
    CHECK(card.party("LAB")->can_control);
    CHECK_FALSE(card.party("IND")->can_control);
    CHECK_FALSE(card.party("Ind2")->can_control);
    CHECK_FALSE(card.party("INDEPENDENT")->can_control);
    CHECK_FALSE(card.party("AIP")->can_control);
    CHECK(card.party("ASH")->can_control);
    CHECK_FALSE(card.party("CON")->can_control);
}

TEST_CASE("card: a council of independents left without can_control is NOC", "[card][independents]") {
    std::string text = R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05", "date": "2022-05-05"},
      "parties": [{"code": "LAB"}, {"code": "IND", "name": "Independent"}],
      "councils": [{"id": "local.z.2022-05-05", "name": "Z", "size": 2, "composition": {"IND": 2},
        "wards": [{"id": "local.z.a.2022-05-05", "name": "A", "seats": 2}]}]})";
    Card card = load(text);
    CHECK(card.councils[0].control_before == "NOC");
    Tally t(card);
    t.start();
    auto ev = accept(t, R"({"id": "z", "council": "local.z.2022-05-05", "ward": "local.z.a.2022-05-05", "revision": 1, "declared_at": "2022-05-06T01:00:00Z", "candidates": [{"name": "P", "party": "IND", "votes": 500, "elected": true}, {"name": "Q", "party": "IND", "votes": 400, "elected": true}, {"name": "R", "party": "LAB", "votes": 100, "elected": false}]})");
    auto call = of_type(ev, "control_called");
    REQUIRE(call.size() == 1);
    CHECK(str(call[0].at("text")) == "Z: NOC no change");
}

namespace {

std::vector<std::string> listed(const std::vector<Error>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.code + " at " + e.path + ": expected " + e.expected + ", got " + e.got);
    return out;
}

}  // namespace

TEST_CASE("card check: every problem is reported with its path, errors and warnings apart", "[card][lint]") {
    std::string text = R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05", "date": "2022-05-05"},
      "parties": [{"code": "LAB", "aliases": ["Lab"]}, {"code": "CON"}],
      "councils": [
        {"id": "local.a.2022-05-05", "name": "A", "size": 5, "size_before": 6,
         "composition": {"LAB": 2, "CON": 2}, "vacancies": 0, "control_before": "LAB",
         "continuing": {"LAB": 1, "CON": 3}, "wards": [{"id": "local.a.w.2022-05-05", "name": "W", "seats": 1, "last_won": ["UKIP"]}]},
        {"id": "local.b.2022-05-05", "name": "B", "size": 2,
         "wards": [{"id": "local.b.w.2022-05-05", "name": "W", "seats": 2}],
         "mayors": [{"id": "mayor.b.2022-05-05", "name": "Mayor of B", "previous": "REF"}]},
        {"id": "local.c.2022-05-05", "name": "C", "size": 3, "composition": {"Lab": 2},
         "wards": [{"id": "local.c.w.2022-05-05", "name": "W", "seats": 3}]}
      ]})";
    CardLoad load = load_card(text);
    CHECK_FALSE(load.card.has_value());
    CHECK(listed(load.report.errors) == std::vector<std::string>{
        "unknown_party at councils[0].wards[0].last_won[0]: expected a party code on the card, got \"UKIP\"",
        "composition_mismatch at councils[0].composition: expected composition + vacancies = size before the election (6), got 4 + 0 = 4",
        "continuing_exceeds_composition at councils[0].continuing.CON: expected at most CON's 2 seats on the eve of poll, got 3",
        "unknown_party at councils[1].mayors[0].previous: expected a party code on the card, got \"REF\"",
        "composition_mismatch at councils[2].composition: expected composition + vacancies = size before the election (3), got 2 + 0 = 2",
    });
    CHECK(listed(load.report.warnings) == std::vector<std::string>{
        "control_before_unknown at councils[1].control_before: expected a party code or NOC, or a composition to derive it from, got nothing: the outcome will read as unknown_before",
    });
    // parse_card refuses it with the first error.
    auto r = parse_card(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.path == "councils[0].wards[0].last_won[0]");
}

TEST_CASE("card check: a card with warnings only loads", "[card][lint]") {
    CardLoad load = load_card(card_with(R"("continuing": {},)"));
    REQUIRE(load.card.has_value());
    CHECK(load.report.errors.empty());
    REQUIRE(load.report.warnings.size() == 1);
    CHECK(load.report.warnings[0].code == "control_before_unknown");
    CHECK(load.report.warnings[0].path == "councils[0].control_before");
}

TEST_CASE("card: a new council has no control or composition before", "[card][new_council]") {
    CardLoad load = load_card(card_with(R"("new_council": true, "composition": {"LAB": 4}, "continuing": {},)"));
    REQUIRE(load.card.has_value());
    const Council& c = load.card->councils[0];
    CHECK(c.new_council);
    CHECK(c.control_before.empty());
    CHECK(c.composition.empty());
    REQUIRE(load.report.warnings.size() == 1);
    CHECK(load.report.warnings[0].code == "new_council_before");
    CHECK(load.report.warnings[0].path == "councils[0].composition");
    // Written and read back.
    auto back = parse_card(card_to_json(*load.card));
    REQUIRE(back.ok());
    CHECK(back.value->councils[0].new_council);
}

TEST_CASE("card: a party's short label for alert text is read and written", "[card][label]") {
    std::string text = R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05"},
      "parties": [{"code": "CIIP", "name": "Canvey Island Independent Party", "label": "Canvey Island Ind", "can_control": true}],
      "councils": []})";
    Card card = load(text);
    CHECK(card.parties[0].label == "Canvey Island Ind");
    CHECK(card.display("CIIP") == "Canvey Island Ind");
    CHECK(card.display("NOC") == "NOC");
    CHECK(load(card_to_json(card)).parties[0].label == "Canvey Island Ind");
}

TEST_CASE("card: a single-winner contest is a mayoralty or a PCC", "[card][mayor]") {
    std::string text = R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05"},
      "parties": [{"code": "CON"}],
      "councils": [{"id": "pcc.kent", "name": "Kent", "wards": [],
                    "mayors": [{"id": "pcc.kent.2022-05-05", "name": "Kent PCC", "kind": "pcc", "previous": "CON"},
                               {"id": "mayor.kent.2022-05-05", "name": "Mayor of Kent"}]}]})";
    Card card = load(text);
    CHECK(card.councils[0].mayors[0].kind == "pcc");
    CHECK(card.councils[0].mayors[1].kind == "mayor");
    CHECK(load(card_to_json(card)).councils[0].mayors[0].kind == "pcc");
    auto bad = parse_card(replace(text, R"("kind": "pcc")", R"("kind": "sheriff")"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error.code == "bad_value");
    CHECK(bad.error.path == "councils[0].mayors[0].kind");
}

TEST_CASE("card check: independents marked able to control are a warning", "[card][lint][independents]") {
    CardLoad load = load_card(R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05"},
      "parties": [{"code": "IND", "name": "Independent", "can_control": true},
                  {"code": "ASH", "name": "Ashfield Independents", "can_control": true}],
      "councils": []})");
    REQUIRE(load.card.has_value());
    REQUIRE(load.report.warnings.size() == 1);
    CHECK(load.report.warnings[0].code == "independent_can_control");
    CHECK(load.report.warnings[0].path == "parties[0].can_control");
}
