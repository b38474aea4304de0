// Contests that are not a council's ordinary election (issue 13): a council
// whose only contest tonight is a mayoralty or a by-election is not a council
// result; a ward can hold its ordinary election and a by-election together.
#include <catch2/catch.hpp>

#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

namespace {

Ward by_election(std::string id, std::vector<std::string> last_won = {}) {
    Ward w = ward(std::move(id), 1, std::move(last_won));
    w.by_election = true;
    return w;
}

// Sunderland holds its ordinary election; Croydon only elects its mayor;
// Hartlepool only fills a casual vacancy.
Card night() {
    Council sunderland = council("Sunderland", 2, "LAB", {}, 0, wards("s", 2, "LAB"));
    Council croydon = council("Croydon", 70, "LAB", {{"LAB", 41}, {"CON", 29}}, 0, {});
    croydon.composition = {{"LAB", 41}, {"CON", 29}};
    croydon.mayors.push_back(Mayoralty{"mayor.croydon", "Mayor of Croydon", "LAB"});
    Council hartlepool = council("Hartlepool", 36, "LAB", {{"LAB", 20}, {"CON", 15}}, 0, {by_election("h.by", {"CON"})});
    return card({sunderland, croydon, hartlepool});
}

}  // namespace

TEST_CASE("a council with no ordinary election tonight is not a council result", "[tally][contests]") {
    Card c = night();
    Tally t(c);
    // Nothing is called at start: Croydon's and Hartlepool's control are not being decided.
    auto start = parse(t.start());
    CHECK(of_type(start, "control_called").empty());
    auto s = summary(t);
    CHECK(s.at("councils_total").as_int64() == 1);
    CHECK(s.at("councils_declared").as_int64() == 0);
    CHECK(s.at("councils_known").as_int64() == 0);
    CHECK(s.at("wards_total").as_int64() == 2);
    REQUIRE(s.at("by_council").as_array().size() == 1);
    CHECK(str(s.at("by_council").as_array()[0].at("id")) == "Sunderland");

    // The mayoralty and the by-election are reported with their own gains, and touch no council count.
    auto mayor = accept(t, win("Croydon", "mayor.croydon", {"CON"}));
    REQUIRE(types(mayor) == std::vector<std::string>{"ward_declared", "scoreboard"});
    CHECK(str(mayor[0].at("text")) == "Mayor of Croydon: CON GAIN from LAB");
    auto by = accept(t, win("Hartlepool", "h.by", {"LAB"}));
    REQUIRE(types(by) == std::vector<std::string>{"ward_declared", "scoreboard"});
    CHECK(str(by[0].at("text")) == "Hartlepool, h.by (by-election): LAB GAIN from CON");
    CHECK(by[0].at("data").at("by_election").as_bool());
    s = summary(t);
    CHECK(s.at("councils_declared").as_int64() == 0);
    CHECK(s.at("councils_known").as_int64() == 0);
    CHECK_FALSE(s.at("councillors").as_object().contains("LAB"));
    CHECK(s.at("by_elections").at("declared").as_int64() == 1);
    CHECK(s.at("by_elections").at("total").as_int64() == 1);
    CHECK(s.at("by_elections").at("parties").at("LAB").at("won").as_int64() == 1);
    CHECK(s.at("by_elections").at("parties").at("LAB").at("gained").as_int64() == 1);
    CHECK(s.at("by_elections").at("parties").at("CON").at("lost").as_int64() == 1);

    // Sunderland alone decides the councils table.
    accept(t, win("Sunderland", "s1", {"LAB"}));
    auto last = accept(t, win("Sunderland", "s2", {"LAB"}));
    s = summary(t);
    CHECK(s.at("councils_declared").as_int64() == 1);
    CHECK(s.at("councils").at("LAB").at("count").as_int64() == 1);
    CHECK(s.at("councils").at("LAB").at("change").as_int64() == 0);
}

TEST_CASE("a ward's ordinary election and a by-election the same night are counted separately", "[tally][contests]") {
    // Thirds: 2 continuing (LAB 1, CON 1) and one vacant seat being filled; two wards up, one of them also
    // holding the by-election. 5 seats, M = 3.
    Ward abbey = ward("Abbey", 1, {"LAB"});
    Ward abbey_by = by_election("Abbey by", {"CON"});
    abbey_by.name = "Abbey";
    Card c = card({council("Reading", 5, "NOC", {{"LAB", 1}, {"CON", 1}}, 0, {abbey, abbey_by, ward("Battle", 1, {"CON"})})});
    Tally t(c);
    t.start();
    auto first = accept(t, win("Reading", "Abbey", {"LAB"}));
    CHECK(str(first[0].at("text")) == "Reading, Abbey: LAB HOLD");
    CHECK_FALSE(first[0].at("data").at("by_election").as_bool());
    auto upd = of_type(first, "council_updated").back().at("data").as_object();
    CHECK(upd.at("wards_declared").as_int64() == 1);
    CHECK(upd.at("wards_total").as_int64() == 2);
    CHECK(upd.at("by_elections_declared").as_int64() == 0);
    CHECK(upd.at("by_elections_total").as_int64() == 1);
    CHECK(str(of_type(first, "council_updated").back().at("text")) == "Reading: 1 of 2 wards declared, 0 of 1 by-elections; control undecided");

    auto second = accept(t, win("Reading", "Abbey by", {"LAB"}));
    CHECK(str(second[0].at("text")) == "Reading, Abbey (by-election): LAB GAIN from CON");
    // The by-election's seat is a seat on the council: LAB 1 + 2 = 3 of 5 is control.
    auto call = of_type(second, "control_called");
    REQUIRE(call.size() == 1);
    CHECK(str(call[0].at("data").at("control")) == "LAB");
    upd = of_type(second, "council_updated").back().at("data").as_object();
    CHECK(upd.at("wards_declared").as_int64() == 1);
    CHECK(upd.at("wards_total").as_int64() == 2);
    CHECK(upd.at("by_elections_declared").as_int64() == 1);
    CHECK(str(of_type(second, "council_updated").back().at("text")) ==
          "Reading: 1 of 2 wards declared, 1 of 1 by-elections; LAB GAIN from NOC");
    auto s = summary(t);
    CHECK(s.at("wards_declared").as_int64() == 1);
    CHECK(s.at("wards_total").as_int64() == 2);
    // Councillors count the ordinary election; the by-election has its own line.
    CHECK(s.at("councillors").at("LAB").at("count").as_int64() == 1);
    CHECK(s.at("by_elections").at("parties").at("LAB").at("gained").as_int64() == 1);

    accept(t, win("Reading", "Battle", {"CON"}));
    CHECK(str(by_council(t, "Reading").at("status")) == "final");
    CHECK(summary(t).at("councils_declared").as_int64() == 1);
}

TEST_CASE("mayors and police and crime commissioners are in the scoreboard, held and gained by party", "[tally][contests][mayor]") {
    Council croydon = council("Croydon", 2, "LAB", {}, 0, wards("c", 2, "LAB"), "London");
    croydon.mayors.push_back(Mayoralty{"mayor.croydon", "Mayor of Croydon", "LAB"});
    Council kent = council("Kent", 0, "", {}, 0, {}, "South East");
    Mayoralty pcc{"pcc.kent", "Kent Police and Crime Commissioner", "CON"};
    pcc.kind = "pcc";
    kent.mayors.push_back(pcc);
    Card c = card({croydon, kent});
    Tally t(c);
    t.start();
    auto s = summary(t);
    CHECK(s.at("councils_total").as_int64() == 1);
    CHECK(s.at("mayoralties").at("total").as_int64() == 1);
    CHECK(s.at("pccs").at("total").as_int64() == 1);

    auto ev = accept(t, win("Croydon", "mayor.croydon", {"CON"}));
    REQUIRE(types(ev) == std::vector<std::string>{"ward_declared", "scoreboard"});
    CHECK(str(ev[0].at("data").at("contest")) == "mayor");
    const json::object mayors = ev[1].at("data").at("mayoralties").as_object();
    CHECK(mayors.at("declared").as_int64() == 1);
    CHECK(mayors.at("parties").at("CON").at("won").as_int64() == 1);
    CHECK(mayors.at("parties").at("CON").at("gained").as_int64() == 1);
    CHECK(mayors.at("parties").at("LAB").at("lost").as_int64() == 1);

    auto p = accept(t, win("Kent", "pcc.kent", {"CON"}));
    REQUIRE(types(p) == std::vector<std::string>{"ward_declared", "scoreboard"});
    CHECK(str(p[0].at("data").at("contest")) == "pcc");
    CHECK(str(p[0].at("text")) == "Kent Police and Crime Commissioner: CON HOLD");
    const json::object pccs = p[1].at("data").at("pccs").as_object();
    CHECK(pccs.at("declared").as_int64() == 1);
    CHECK(pccs.at("parties").at("CON").at("won").as_int64() == 1);
    CHECK(pccs.at("parties").at("CON").at("gained").as_int64() == 0);

    // A correction moves the figures, it does not add to them.
    auto corr = accept(t, win("Croydon", "mayor.croydon", {"LAB"}, 2));
    REQUIRE(types(corr) == std::vector<std::string>{"declaration_corrected", "scoreboard"});
    const json::object after = corr[1].at("data").at("mayoralties").as_object();
    CHECK(after.at("declared").as_int64() == 1);
    CHECK(after.at("parties").at("LAB").at("won").as_int64() == 1);
    CHECK(after.at("parties").at("LAB").at("gained").as_int64() == 0);
    CHECK_FALSE(after.at("parties").as_object().contains("CON"));
    CHECK(summary(t).at("councils_declared").as_int64() == 0);
}
