// The tally engine against the rules of shared/domain.md, through its public
// interface: assess + apply declarations, parse the events and the summary.
#include <catch2/catch.hpp>

#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

namespace {

// The last event of a type in a batch (REQUIREs there is one).
json::object last_of(const std::vector<json::object>& events, const std::string& type) {
    auto v = of_type(events, type);
    REQUIRE_FALSE(v.empty());
    return v.back();
}

std::size_t index_of(const std::vector<json::object>& events, const std::string& type) {
    for (std::size_t i = 0; i < events.size(); ++i)
        if (type_of(events[i]) == type) return i;
    FAIL("no " << type << " event");
    return 0;
}

}  // namespace

TEST_CASE("Walsall: exactly half is not control", "[tally][control]") {
    // Thirds: 40 continuing (CON 20, LAB 20), 20 wards up. LAB wins 10, CON 10: 30-30 of 60, M = 31.
    Card c = card({council("Walsall", 60, "CON", {{"CON", 20}, {"LAB", 20}}, 0, wards("w", 20, "CON"))});
    Tally t(c);
    CHECK(t.start().empty());  // either could still reach 31
    for (int i = 1; i <= 10; ++i) {
        auto ev = accept(t, win("Walsall", "w" + std::to_string(i), {"LAB"}));
        CHECK(of_type(ev, "control_called").empty());
    }
    // LAB now has 30 of 60 with 10 to declare: one short, not called.
    auto mid = by_council(t, "Walsall");
    CHECK(mid.at("control").is_null());
    CHECK(str(mid.at("status")) == "undecided");
    std::vector<json::object> ev;
    for (int i = 11; i <= 20; ++i) {
        ev = accept(t, win("Walsall", "w" + std::to_string(i), {"CON"}));
        if (i < 20) CHECK(of_type(ev, "control_called").empty());  // LAB 30 + U could still reach 31
    }
    auto call = last_of(ev, "control_called");
    const auto& d = call.at("data").as_object();
    CHECK(str(d.at("control")) == "NOC");
    CHECK(str(d.at("call")) == "noc_certain");
    CHECK(d.at("final").as_bool());
    CHECK(d.at("arithmetic").at("majority").as_int64() == 31);
    CHECK(str(call.at("text")) == "Walsall: CON LOSE to NOC");
    auto upd = last_of(ev, "council_updated").at("data").as_object();
    CHECK(str(upd.at("status")) == "final");
    CHECK(upd.at("composition").as_array()[0].at("seats").as_int64() == 30);
}

TEST_CASE("Dudley: 35-35 is no overall control", "[tally][control]") {
    // 72 seats, 24 up (thirds). Continuing LAB 24, CON 24; LAB 11, CON 11, IND 2 tonight.
    Card c = card({council("Dudley", 72, "NOC", {{"LAB", 24}, {"CON", 24}}, 0, wards("d", 24))});
    Tally t(c);
    std::vector<json::object> all;
    for (int i = 1; i <= 24; ++i) {
        std::string p = i <= 11 ? "LAB" : i <= 22 ? "CON" : "IND";
        auto ev = accept(t, win("Dudley", "d" + std::to_string(i), {p}));
        all.insert(all.end(), ev.begin(), ev.end());
    }
    auto calls = of_type(all, "control_called");
    REQUIRE(calls.size() == 1);
    CHECK(str(calls[0].at("data").at("control")) == "NOC");
    CHECK(str(calls[0].at("text")) == "Dudley: NOC no change (called, 1 seat to declare)");
    auto comp = json::parse(t.council_json("Dudley")).at("composition").as_array();
    CHECK(comp[0].at("seats").as_int64() == 35);
    CHECK(comp[1].at("seats").as_int64() == 35);
    CHECK(str(by_council(t, "Dudley").at("control")) == "NOC");
}

TEST_CASE("Crawley: a vacancy lowers the majority", "[tally][control]") {
    // 36 seats, one continuing seat vacant: M = floor(35/2) + 1 = 18, and LAB's 18 is control.
    Card c = card({council("Crawley", 36, "NOC", {{"LAB", 11}, {"CON", 12}}, 1, wards("c", 12))});
    Tally t(c);
    CHECK(t.start().empty());
    std::vector<json::object> all;
    for (int i = 1; i <= 12; ++i) {
        auto ev = accept(t, win("Crawley", "c" + std::to_string(i), {i <= 7 ? "LAB" : "CON"}));
        all.insert(all.end(), ev.begin(), ev.end());
    }
    auto calls = of_type(all, "control_called");
    REQUIRE(calls.size() == 1);
    const auto& d = calls[0].at("data").as_object();
    CHECK(str(d.at("control")) == "LAB");
    CHECK(d.at("arithmetic").at("majority").as_int64() == 18);
    CHECK(d.at("arithmetic").at("vacancies").as_int64() == 1);
    CHECK(str(calls[0].at("text")) == "Crawley: LAB GAIN from NOC (called, 5 seats to declare)");
    CHECK(str(by_council(t, "Crawley").at("control")) == "LAB");
}

TEST_CASE("independents are not a bloc", "[tally][control]") {
    Card c = card({council("Ashfield", 10, "NOC", {}, 0, wards("a", 10, "IND"))});
    Tally t(c);
    for (int i = 1; i <= 4; ++i) CHECK(of_type(accept(t, win("Ashfield", "a" + std::to_string(i), {"IND"})), "control_called").empty());
    // IND 5 of 10, 5 to declare: IND would be a majority of councillors, but IND
    // is not a party; any party's best is 0 + 5 < M = 6, so NOC is certain now.
    auto ev = accept(t, win("Ashfield", "a5", {"IND"}));
    auto call = last_of(ev, "control_called");
    CHECK(str(call.at("data").at("control")) == "NOC");
    CHECK(str(call.at("data").at("call")) == "noc_certain");
    CHECK_FALSE(call.at("data").at("final").as_bool());
    CHECK(call.at("data").at("arithmetic").at("undeclared").as_int64() == 5);
    CHECK(of_type(accept(t, win("Ashfield", "a6", {"IND"})), "control_called").empty());
    auto s = summary(t);
    CHECK_FALSE(s.at("councils").as_object().contains("IND"));
    CHECK(s.at("councils").at("NOC").at("count").as_int64() == 1);
    CHECK(s.at("councillors").at("IND").at("count").as_int64() == 6);
}

TEST_CASE("thirds council whose control cannot change is called at start", "[tally][control][start]") {
    // LAB has 35 continuing of 60 (M = 31): knowable before any count.
    Card c = card({council("Sunderland", 60, "LAB", {{"LAB", 35}, {"CON", 5}}, 0, wards("s", 20, "LAB"))});
    Tally t(c);
    auto ev = parse(t.start());
    REQUIRE(types(ev) == std::vector<std::string>{"control_called", "scoreboard"});
    const auto& call = ev[0];
    CHECK(call.at("seq").to_number<std::uint64_t>() == 1);
    CHECK(call.at("at").is_null());
    CHECK(str(call.at("text")) == "Sunderland: LAB HOLD (before counting: control cannot change)");
    const auto& a = call.at("data").at("arithmetic").as_object();
    CHECK(a.at("majority").as_int64() == 31);
    CHECK(a.at("continuing").as_int64() == 35);
    CHECK(a.at("won").as_int64() == 0);
    CHECK(a.at("undeclared").as_int64() == 20);
    CHECK(str(a.at("party")) == "LAB");
    CHECK(ev[1].at("data").at("councils").at("LAB").at("count").as_int64() == 1);
    CHECK(t.start().empty());  // once only

    // Later declarations do not call it again; council_updated points at the call.
    auto later = accept(t, win("Sunderland", "s1", {"CON"}));
    CHECK(of_type(later, "control_called").empty());
    CHECK(str(last_of(later, "council_updated").at("data").at("call").at("id")) == str(call.at("id")));
}

TEST_CASE("NOC certain at start", "[tally][control][start]") {
    // LAB 10 + 20 up = 30 < 31: nobody can reach a majority of 60.
    Card c = card({council("Bolton", 60, "CON", {{"LAB", 10}, {"CON", 10}, {"IND", 20}}, 0, wards("b", 20))});
    Tally t(c);
    auto ev = parse(t.start());
    REQUIRE(of_type(ev, "control_called").size() == 1);
    CHECK(str(ev[0].at("data").at("control")) == "NOC");
    CHECK(str(ev[0].at("text")) == "Bolton: CON LOSE to NOC (before counting: control cannot change)");
}

TEST_CASE("apply without start() still emits the start-up calls first", "[tally][start]") {
    Card c = card({council("Sunderland", 60, "LAB", {{"LAB", 35}, {"CON", 5}}, 0, wards("s", 20, "LAB"))});
    Tally t(c);
    auto ev = accept(t, win("Sunderland", "s1", {"LAB"}));
    CHECK(type_of(ev[0]) == "control_called");
    CHECK(ev[0].at("seq").to_number<std::uint64_t>() == 1);
}

TEST_CASE("postponed seats reduce the majority and the seats to declare", "[tally][control][postponed]") {
    // 9 seats, three 3-seat wards, one postponed: M = floor(6/2) + 1 = 4, U = 6.
    Card c = card({council("Redbridge", 9, "NOC", {}, 0,
                           {ward("A", 3), ward("B", 3), ward("Mayfield", 3, {}, true)})});
    Tally t(c);
    auto cj = json::parse(t.council_json("Redbridge")).as_object();
    CHECK(cj.at("majority").as_int64() == 4);
    CHECK(cj.at("undeclared").as_int64() == 6);
    CHECK(cj.at("postponed_seats").as_int64() == 3);
    CHECK(cj.at("wards_total").as_int64() == 2);

    Declaration p = win("Redbridge", "Mayfield", {"LAB", "LAB", "LAB"});
    auto a = t.assess(p);
    CHECK(a.verdict == Verdict::rejected);
    CHECK(a.error.code == "postponed_poll");

    accept(t, win("Redbridge", "A", {"LAB", "LAB", "CON"}));
    auto ev = accept(t, win("Redbridge", "B", {"LAB", "LAB", "CON"}));
    // LAB 4 of the 6 filled seats: control (it would not be with M = 5).
    auto call = last_of(ev, "control_called").at("data").as_object();
    CHECK(str(call.at("control")) == "LAB");
    CHECK(call.at("arithmetic").at("majority").as_int64() == 4);
    CHECK(call.at("arithmetic").at("vacancies").as_int64() == 3);
    CHECK(call.at("arithmetic").at("undeclared").as_int64() == 0);
    CHECK(call.at("final").as_bool());
    auto s = summary(t);
    CHECK(s.at("councils_declared").as_int64() == 1);
    CHECK(s.at("wards_total").as_int64() == 2);
}

TEST_CASE("NOC certain early, while seats are still to declare", "[tally][control]") {
    Card c = card({council("Hastings", 6, "LAB", {}, 0, wards("h", 6, "LAB"))});
    Tally t(c);
    std::vector<std::string> order{"LAB", "CON", "LAB", "CON"};
    for (std::size_t i = 0; i < order.size(); ++i) {
        auto ev = accept(t, win("Hastings", "h" + std::to_string(i + 1), {order[i]}));
        CHECK(of_type(ev, "control_called").empty());
    }
    // LAB 2, CON 2, LD 1 with one seat left: best 2 + 1 = 3 < M = 4.
    auto ev = accept(t, win("Hastings", "h5", {"LD"}));
    auto call = last_of(ev, "control_called");
    const auto& d = call.at("data").as_object();
    CHECK(str(d.at("call")) == "noc_certain");
    CHECK_FALSE(d.at("final").as_bool());
    CHECK(d.at("arithmetic").at("undeclared").as_int64() == 1);
    CHECK(d.at("arithmetic").at("majority").as_int64() == 4);
    CHECK(str(call.at("text")) == "Hastings: LAB LOSE to NOC (called, 1 seat to declare)");
    CHECK(str(last_of(ev, "council_updated").at("data").at("status")) == "noc_certain");
    // The last ward changes nothing about the call.
    auto last = accept(t, win("Hastings", "h6", {"LAB"}));
    CHECK(of_type(last, "control_called").empty());
    CHECK(str(last_of(last, "council_updated").at("data").at("status")) == "final");
}

TEST_CASE("control secured early, with the arithmetic in the event", "[tally][control]") {
    Card c = card({council("Testshire", 5, "CON", {}, 0, wards("t", 5, "CON"))});
    Tally t(c);
    accept(t, win("Testshire", "t1", {"LAB"}));
    accept(t, win("Testshire", "t2", {"LAB"}));
    auto ev = accept(t, win("Testshire", "t3", {"LAB"}));
    auto call = last_of(ev, "control_called");
    const auto& d = call.at("data").as_object();
    CHECK(str(d.at("call")) == "secured");
    CHECK_FALSE(d.at("final").as_bool());
    CHECK(str(d.at("outcome")) == "LAB GAIN from CON");
    CHECK(str(d.at("outcome_kind")) == "gain");
    const auto& a = d.at("arithmetic").as_object();
    CHECK(a.at("majority").as_int64() == 3);
    CHECK(a.at("continuing").as_int64() == 0);
    CHECK(a.at("won").as_int64() == 3);
    CHECK(a.at("undeclared").as_int64() == 2);
    CHECK(str(a.at("proof")) == "LAB 0 continuing + 3 won = 3 >= 3 needed, 2 seats to declare");
    CHECK(str(call.at("text")) == "Testshire: LAB GAIN from CON (called, 2 seats to declare)");
    CHECK(str(d.at("cause").at("ward")) == "t3");
    // By the documented rule, a called but incomplete council counts in "councils".
    auto s = summary(t);
    CHECK(s.at("councils_declared").as_int64() == 0);
    CHECK(s.at("councils").at("LAB").at("count").as_int64() == 1);
    CHECK(s.at("councils").at("LAB").at("change").as_int64() == 1);
    CHECK(s.at("councils").at("CON").at("count").as_int64() == 0);
    CHECK(s.at("councils").at("CON").at("change").as_int64() == -1);
}

TEST_CASE("a tie decided by lot: the declared winner is used, not vote order", "[tally][ward]") {
    Card c = card({council("Lots", 3, "LAB", {}, 0, wards("l", 3, "LAB"))});
    Tally t(c);
    Declaration d = decl("Lots", "l1",
                         {cand("Able A.", "LAB", 500, false), cand("Baker B.", "CON", 500, true),
                          cand("Cole C.", "LD", 20, false)});
    d.lots = Lots{{"Able A.", "Baker B."}, {"Baker B."}};
    auto ev = accept(t, d);
    auto w = last_of(ev, "ward_declared");
    const auto& data = w.at("data").as_object();
    REQUIRE(data.at("winners").as_array().size() == 1);
    CHECK(str(data.at("winners").as_array()[0]) == "CON");
    CHECK(str(data.at("seat_results").as_array()[0].at("result")) == "gain");
    CHECK(str(data.at("lots").at("winner")) == "Baker B.");
    CHECK(str(w.at("text")) == "Lots, l1: CON GAIN from LAB (decided by lot)");
    CHECK(summary(t).at("councillors").at("CON").at("count").as_int64() == 1);
}

TEST_CASE("an uncontested ward: seats without votes", "[tally][ward]") {
    Card c = card({council("Quiet", 4, "LAB", {}, 0, {ward("q1", 2, {"LAB", "LAB"}), ward("q2", 2, {"CON", "CON"})})});
    Tally t(c);
    Declaration d = decl("Quiet", "q1", {cand("A", "LAB", std::nullopt, true), cand("B", "LAB", std::nullopt, true)});
    auto ev = accept(t, d);
    auto w = last_of(ev, "ward_declared");
    const auto& data = w.at("data").as_object();
    CHECK(data.at("uncontested").as_bool());
    CHECK(data.at("candidates").as_array()[0].at("votes").is_null());
    CHECK(data.at("candidates").as_array()[0].at("share_bp").is_null());
    CHECK(str(w.at("text")) == "Quiet, q1: LAB HOLD x2 (unopposed)");
    auto s = summary(t);
    CHECK(s.at("councillors").at("LAB").at("count").as_int64() == 2);
    CHECK(s.at("votes").at("total").as_int64() == 0);
}

TEST_CASE("multi-seat ward: per-seat gains, notional flag, scoreboard change", "[tally][ward]") {
    Card c = card({council("Reading", 6, "LAB", {}, 0,
                           {ward("Abbey", 3, {"LAB", "CON", "CON"}, false, true), ward("Battle", 3, {"LAB", "LAB", "LAB"})})});
    Tally t(c);
    auto ev = accept(t, win("Reading", "Abbey", {"LAB", "LAB", "CON"}));
    auto w = last_of(ev, "ward_declared");
    const auto& data = w.at("data").as_object();
    CHECK(data.at("notional").as_bool());
    const auto& seats = data.at("seat_results").as_array();
    REQUIRE(seats.size() == 3);
    int gains = 0, holds = 0;
    for (const auto& s : seats) {
        if (str(s.at("result")) == "gain") {
            ++gains;
            CHECK(str(s.at("party")) == "LAB");
            CHECK(str(s.at("from")) == "CON");
        } else {
            CHECK(str(s.at("result")) == "hold");
            ++holds;
        }
    }
    CHECK(gains == 1);
    CHECK(holds == 2);
    CHECK(str(w.at("text")) == "Reading, Abbey: LAB HOLD, LAB GAIN from CON, CON HOLD (notional)");
    auto sb = last_of(ev, "scoreboard").at("data").as_object();
    CHECK(sb.at("councillors").at("LAB").at("count").as_int64() == 2);
    CHECK(sb.at("councillors").at("LAB").at("change").as_int64() == 1);
    CHECK(sb.at("councillors").at("CON").at("count").as_int64() == 1);
    CHECK(sb.at("councillors").at("CON").at("change").as_int64() == -1);
    // Council composition: net change against last fought, by party.
    auto comp = last_of(ev, "council_updated").at("data").at("composition").as_array();
    CHECK(str(comp[0].at("party")) == "LAB");
    CHECK(comp[0].at("net_vs_last").as_int64() == 1);
}

TEST_CASE("a correction that flips a call retracts it before the new call", "[tally][correction]") {
    // 3 seats, M = 2. LAB wins two wards: LAB called. A correction gives one of them to CON.
    Card c = card({council("Flip", 3, "CON", {}, 0, wards("f", 3, "CON"))});
    Tally t(c);
    accept(t, win("Flip", "f1", {"LAB"}));
    auto ev2 = accept(t, win("Flip", "f2", {"LAB"}));
    auto first_call = last_of(ev2, "control_called");
    auto ward2 = last_of(ev2, "ward_declared");
    CHECK(str(first_call.at("data").at("control")) == "LAB");
    accept(t, win("Flip", "f3", {"CON"}));

    auto ev = accept(t, win("Flip", "f2", {"CON"}, 2));
    REQUIRE(types(ev) == std::vector<std::string>{"declaration_corrected", "call_retracted", "control_called",
                                                  "council_updated", "scoreboard"});
    const auto& corr = ev[0].at("data").as_object();
    CHECK(str(corr.at("replaces").at("id")) == str(ward2.at("id")));
    CHECK(corr.at("replaces").at("seq") == ward2.at("seq"));
    CHECK(corr.at("replaces").at("revision").as_int64() == 1);
    CHECK(corr.at("seat_changes").at("CON").as_int64() == 1);
    CHECK(corr.at("seat_changes").at("LAB").as_int64() == -1);
    const auto& retract = ev[1];
    CHECK(str(retract.at("data").at("retracts").at("id")) == str(first_call.at("id")));
    CHECK(str(retract.at("data").at("control")) == "LAB");
    CHECK(str(retract.at("text")) == "Flip: call retracted, LAB GAIN from CON no longer stands");
    CHECK(index_of(ev, "call_retracted") < index_of(ev, "control_called"));
    CHECK(str(ev[2].at("data").at("control")) == "CON");
    CHECK(str(ev[2].at("text")) == "Flip: CON HOLD");
    CHECK(str(ev[3].at("data").at("call").at("id")) == str(ev[2].at("id")));
    auto s = summary(t);
    CHECK(s.at("councils").at("CON").at("count").as_int64() == 1);
    CHECK_FALSE(s.at("councils").as_object().contains("LAB"));
    CHECK(s.at("councillors").at("CON").at("count").as_int64() == 2);
    CHECK(s.at("councillors").at("LAB").at("count").as_int64() == 1);
    CHECK(s.at("wards_declared").as_int64() == 3);

    // A second correction replaces the declaration_corrected event, not the original.
    auto again = accept(t, win("Flip", "f2", {"CON"}, 3, "LD"));
    CHECK(str(again[0].at("data").at("replaces").at("id")) == str(ev[0].at("id")));
}

TEST_CASE("a correction that unsettles a call retracts it with no new call", "[tally][correction]") {
    Card c = card({council("Undo", 5, "CON", {}, 0, wards("u", 5, "CON"))});
    Tally t(c);
    accept(t, win("Undo", "u1", {"LAB"}));
    accept(t, win("Undo", "u2", {"LAB"}));
    auto call = last_of(accept(t, win("Undo", "u3", {"LAB"})), "control_called");
    auto ev = accept(t, win("Undo", "u3", {"CON"}, 2));
    REQUIRE(types(ev) == std::vector<std::string>{"declaration_corrected", "call_retracted", "council_updated",
                                                  "scoreboard"});
    CHECK(ev[1].at("data").at("retracts").at("seq") == call.at("seq"));
    CHECK(str(ev[1].at("data").at("status")) == "undecided");
    CHECK(ev[2].at("data").at("call").is_null());
    CHECK(ev[2].at("data").at("control").is_null());
    auto s = summary(t);
    // Councils with neither count nor change are left out; NOC is always there.
    CHECK_FALSE(s.at("councils").as_object().contains("LAB"));
    CHECK_FALSE(s.at("councils").as_object().contains("CON"));
    CHECK(s.at("councils").at("NOC").at("count").as_int64() == 0);
    CHECK(s.at("councils_known").as_int64() == 0);
}

TEST_CASE("duplicate, stale and conflict leave the tally unchanged", "[tally][revision]") {
    Card c = card({council("Same", 3, "LAB", {}, 0, wards("s", 3, "LAB"))});
    Tally t(c);
    accept(t, win("Same", "s1", {"LAB"}));
    accept(t, win("Same", "s1", {"LAB"}, 2, "LD"));
    const std::string before = t.summary_json();
    const std::string council_before = t.council_json("Same");
    const auto seq = t.last_seq();

    Declaration dup = win("Same", "s1", {"LAB"}, 2, "LD");
    dup.source = "someone else";  // not compared
    auto a = t.assess(dup);
    CHECK(a.verdict == Verdict::duplicate);
    CHECK_FALSE(a.accepted());

    Declaration stale = win("Same", "s1", {"CON"}, 1);
    a = t.assess(stale);
    CHECK(a.verdict == Verdict::stale);
    CHECK(a.error.code == "stale_revision");
    CHECK(a.error.path == "revision");
    CHECK(a.error.got == "1");
    CHECK(a.error.expected.find("revision 2 is held") != std::string::npos);

    Declaration conflict = win("Same", "s1", {"CON"}, 2);
    a = t.assess(conflict);
    CHECK(a.verdict == Verdict::conflict);
    CHECK(a.error.code == "conflict");
    CHECK(a.error.path == "revision");

    Declaration bad = win("Same", "s2", {"LAB", "CON"});  // two elected for one seat
    a = t.assess(bad);
    CHECK(a.verdict == Verdict::rejected);
    CHECK(a.error.code == "elected_count");

    // apply() of what assess would not accept changes nothing either.
    CHECK(t.apply(stale, "x").empty());
    CHECK(t.apply(conflict, "x").empty());
    CHECK(t.summary_json() == before);
    CHECK(t.council_json("Same") == council_before);
    CHECK(t.last_seq() == seq);
}

TEST_CASE("assess resolves party aliases and sees a fresh result or a correction", "[tally][revision]") {
    Card c = card({council("Alias", 3, "LAB", {}, 0, wards("a", 3, "LAB"))});
    Tally t(c);
    Declaration d = win("Alias", "a1", {"Labour"});
    auto a = t.assess(d);
    CHECK(a.verdict == Verdict::fresh);
    CHECK(d.candidates[0].party == "LAB");
    t.apply(d, "r");
    Declaration again = win("Alias", "a1", {"Lab"});
    CHECK(t.assess(again).verdict == Verdict::duplicate);
    Declaration next = win("Alias", "a1", {"CON"}, 2);
    CHECK(t.assess(next).verdict == Verdict::correction);
}

TEST_CASE("outcome words in event text", "[tally][control]") {
    Card c = card({
        council("Hold", 1, "LAB", {}, 0, wards("h", 1)),
        council("Gain", 1, "CON", {}, 0, wards("g", 1)),
        council("GainNoc", 1, "NOC", {}, 0, wards("n", 1)),
        council("Lose", 2, "LAB", {}, 0, wards("l", 2)),
        council("Same", 2, "NOC", {}, 0, wards("s", 2)),
    });
    Tally t(c);
    auto text = [&](std::vector<json::object> ev) { return str(last_of(ev, "control_called").at("text")); };
    CHECK(text(accept(t, win("Hold", "h1", {"LAB"}))) == "Hold: LAB HOLD");
    CHECK(text(accept(t, win("Gain", "g1", {"LAB"}))) == "Gain: LAB GAIN from CON");
    CHECK(text(accept(t, win("GainNoc", "n1", {"LAB"}))) == "GainNoc: LAB GAIN from NOC");
    accept(t, win("Lose", "l1", {"LAB"}));
    CHECK(text(accept(t, win("Lose", "l2", {"CON"}))) == "Lose: LAB LOSE to NOC");
    accept(t, win("Same", "s1", {"LD"}));
    CHECK(text(accept(t, win("Same", "s2", {"CON"}))) == "Same: NOC no change");
    auto s = summary(t);
    CHECK(s.at("councils_declared").as_int64() == 5);
    CHECK(s.at("councils").at("LAB").at("count").as_int64() == 3);
    CHECK(s.at("councils").at("LAB").at("change").as_int64() == 1);
    CHECK(s.at("councils").at("NOC").at("count").as_int64() == 2);
    CHECK(s.at("councils").at("NOC").at("change").as_int64() == 0);
    CHECK(s.at("councils").at("CON").at("change").as_int64() == -1);
    CHECK(str(by_council(t, "Gain").at("outcome")) == "LAB GAIN from CON");
}

TEST_CASE("same inputs give byte-identical events", "[tally][determinism]") {
    Card c = card({council("A", 5, "CON", {{"CON", 1}}, 0, wards("a", 4, "CON")),
                   council("B", 60, "LAB", {{"LAB", 35}}, 0, wards("b", 25, "LAB"))});
    std::vector<Declaration> ds{
        win("A", "a1", {"LAB"}), win("B", "b1", {"CON"}), win("A", "a2", {"LAB"}), win("A", "a3", {"LAB"}),
        win("A", "a2", {"CON"}, 2), win("A", "a4", {"LD"}), win("B", "b2", {"LAB"}),
    };
    auto run = [&] {
        Tally t(c);
        std::string out;
        for (const auto& e : t.start()) out += *e.json + "\n";
        for (auto d : ds) {
            REQUIRE(t.assess(d).accepted());
            for (const auto& e : t.apply(d, "2022-05-06T02:00:00Z")) out += *e.json + "\n";
        }
        return out + t.summary_json() + t.council_json("A");
    };
    const std::string one = run();
    CHECK(one == run());
    CHECK(one.size() > 1000);
}

TEST_CASE("the envelope: seq, id, filter keys, times, test flag", "[tally][envelope]") {
    Card c = card({council("Env", 3, "LAB", {}, 0, wards("e", 3, "LAB"), "North East")}, true);
    Tally t(c);
    auto events = t.apply(win("Env", "e1", {"LAB"}), "2022-05-06T01:00:05Z");
    auto ev = parse(events);
    REQUIRE(types(ev) == std::vector<std::string>{"ward_declared", "council_updated", "scoreboard"});
    for (std::size_t i = 0; i < ev.size(); ++i) {
        const auto& e = ev[i];
        CHECK(e.at("seq").to_number<std::uint64_t>() == i + 1);
        CHECK(events[i].seq == i + 1);
        CHECK(str(e.at("id")) == "test:local.2022-05-05#" + std::to_string(i + 1));
        CHECK(str(e.at("election")) == "local.2022-05-05");
        CHECK(e.at("test").as_bool());
        CHECK(str(e.at("at")) == "2022-05-06T01:00:00Z");
        CHECK(str(e.at("received_at")) == "2022-05-06T01:00:05Z");
        CHECK(e.at("data").is_object());
        CHECK(e.at("text").is_string());
    }
    CHECK(str(ev[0].at("council")) == "Env");
    CHECK(str(ev[0].at("region")) == "North East");
    CHECK(events[0].council == "Env");
    CHECK(events[0].region == "North East");
    CHECK(events[0].type == EventType::ward_declared);
    CHECK(ev[2].at("council").is_null());
    CHECK(ev[2].at("region").is_null());
    CHECK(events[2].council.empty());
    CHECK(t.last_seq() == 3);
    // Ward body: candidates in vote order with shares, turnout.
    const auto& d = ev[0].at("data").as_object();
    CHECK(d.at("turnout_bp").as_int64() == 3000);  // 1500 of 5000
    CHECK(d.at("candidates").as_array()[0].at("share_bp").as_int64() == 9091);  // 1000 of 1100
    CHECK(str(ev[1].at("text")) == "Env: 1 of 3 wards declared; control undecided");
}

TEST_CASE("a mayoral contest: single winner, gain vs previous, no council seats", "[tally][mayor]") {
    Council cc = council("Croydon", 3, "LAB", {}, 0, wards("c", 3, "LAB"), "London");
    cc.mayors.push_back(Mayoralty{"mayor.croydon", "Mayor of Croydon", "LAB"});
    Card c = card({cc});
    Tally t(c);
    const std::string before = t.council_json("Croydon");
    auto ev = accept(t, win("Croydon", "mayor.croydon", {"CON"}));
    REQUIRE(types(ev) == std::vector<std::string>{"ward_declared", "scoreboard"});
    CHECK(str(ev[0].at("data").at("contest")) == "mayor");
    CHECK(str(ev[0].at("text")) == "Mayor of Croydon: CON GAIN from LAB");
    auto cj = json::parse(t.council_json("Croydon")).as_object();
    CHECK(cj.at("composition").as_array().empty());
    CHECK(cj.at("seats_declared").as_int64() == 0);
    CHECK(cj.at("mayors").as_array()[0].at("declared").as_bool());
    auto s = summary(t);
    CHECK_FALSE(s.at("councillors").as_object().contains("CON"));
    CHECK(str(s.at("mayors").as_array()[0].at("outcome")) == "CON GAIN from LAB");
    Declaration dup = win("Croydon", "mayor.croydon", {"CON"});
    CHECK(t.assess(dup).verdict == Verdict::duplicate);
    auto corr = accept(t, win("Croydon", "mayor.croydon", {"LAB"}, 2));
    REQUIRE(types(corr) == std::vector<std::string>{"declaration_corrected", "scoreboard"});
    CHECK(str(corr[0].at("text")) == "Mayor of Croydon (corrected): LAB HOLD");
    CHECK(corr[0].at("data").at("replaces").at("seq") == ev[0].at("seq"));
}

TEST_CASE("unknown council size: no control arithmetic", "[tally][control]") {
    Card c = card({council("Nosize", 0, "", {}, 0, wards("n", 2))});
    Tally t(c);
    CHECK(t.start().empty());
    accept(t, win("Nosize", "n1", {"LAB"}));
    auto ev = accept(t, win("Nosize", "n2", {"LAB"}));
    CHECK(of_type(ev, "control_called").empty());
    auto upd = last_of(ev, "council_updated").at("data").as_object();
    CHECK(str(upd.at("status")) == "unknown");
    CHECK(upd.at("majority").is_null());
    CHECK(str(last_of(ev, "council_updated").at("text")) == "Nosize: 2 of 2 wards declared; control unknown");
    auto s = summary(t);
    CHECK(s.at("councils_declared").as_int64() == 1);  // declared, control unknown
    CHECK(s.at("councils_known").as_int64() == 0);
    CHECK(by_council(t, "Nosize").at("control").is_null());
    CHECK(s.at("councillors").at("LAB").at("count").as_int64() == 2);
}

TEST_CASE("scoreboard: vote share and turnout over declared wards", "[tally][scoreboard]") {
    Card c = card({council("V", 4, "LAB", {}, 0, wards("v", 4, "LAB"))});
    Tally t(c);
    auto ev = accept(t, decl("V", "v1", {cand("A", "LAB", 300, true), cand("B", "CON", 100, false)}));
    auto sb = last_of(ev, "scoreboard");
    const auto& d = sb.at("data").as_object();
    CHECK(d.at("votes").at("total").as_int64() == 400);
    CHECK(d.at("votes").at("by_party").at("LAB").at("share_bp").as_int64() == 7500);
    CHECK(d.at("votes").at("by_party").at("CON").at("votes").as_int64() == 100);
    CHECK(d.at("turnout").at("turnout_bp").as_int64() == 3000);
    CHECK(d.at("councils_total").as_int64() == 1);
    CHECK(d.at("wards_declared").as_int64() == 1);
    CHECK(str(sb.at("text")) == "0 of 1 councils declared. Councils: none known. Councillors: LAB 1 (0)");
    // A correction replaces the votes rather than adding to them.
    ev = accept(t, decl("V", "v1", {cand("A", "LAB", 300, true), cand("B", "CON", 200, false)}, 2));
    const json::object d2 = last_of(ev, "scoreboard").at("data").as_object();
    CHECK(d2.at("votes").at("total").as_int64() == 500);
    CHECK(d2.at("wards_declared").as_int64() == 1);
}

TEST_CASE("council_json: wards with what was declared", "[tally][state]") {
    Card c = card({council("J", 2, "LAB", {}, 0, wards("j", 2, "LAB"))});
    Tally t(c);
    CHECK(t.council_json("nope").empty());
    auto ev = accept(t, win("J", "j1", {"CON"}));
    auto cj = json::parse(t.council_json("J")).as_object();
    const auto& ws = cj.at("wards").as_array();
    REQUIRE(ws.size() == 2);
    CHECK(ws[0].at("declared").as_bool());
    CHECK(ws[0].at("event").at("seq") == ev[0].at("seq"));
    CHECK(str(ws[0].at("result").at("summary")) == "CON GAIN from LAB");
    CHECK_FALSE(ws[1].at("declared").as_bool());
    CHECK(ws[1].at("result").is_null());
}
