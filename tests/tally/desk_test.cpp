// The results desk in the tally (model/desk_state.hpp, docs/desk.md "Desk
// rules"): policies, approvals, overrides, withdrawals, ward marks and the
// embargo, applied as inputs, with no sockets.
#include <catch2/catch.hpp>

#include "model/desk_action_json.hpp"
#include "tests/tally/tally_fixtures.hpp"

using namespace tally_test;

namespace {

constexpr const char* kAt = "2022-05-06T02:00:00.000Z";

// Testham: 3 one-seat wards, size 3 (M = 2), LAB before.
Card three_wards() { return card({council("testham", 3, "LAB", {}, 0, wards("t", 3, "LAB"))}); }

// Thirds: LAB holds 5 continuing of 7; one ward up: control cannot change.
Card settled_thirds() { return card({council("thirdsby", 7, "LAB", {{"LAB", 5}, {"CON", 1}}, 0, wards("s", 1, "CON"))}); }

DeskAction act(DeskKind kind, std::string council = "testham") {
    DeskAction a;
    a.kind = kind;
    a.council = std::move(council);
    a.by = "night editor";
    a.reason = "local knowledge";
    return a;
}

DeskAction policy(CallPolicy p, std::string council = "testham") {
    DeskAction a = act(DeskKind::policy, std::move(council));
    a.policy = p;
    return a;
}

std::vector<json::object> desk(Tally& t, const DeskAction& a, std::string at = kAt) {
    auto r = t.apply(a, at);
    INFO(r.error.message());
    REQUIRE(r.ok());
    return parse(*r.value);
}

json::object desk_state(const Tally& t) { return json::parse(t.desk_json()).as_object(); }
json::object council_of(const Tally& t, const std::string& id) { return json::parse(t.council_json(id)).as_object(); }
std::string text_of(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

}  // namespace

TEST_CASE("desk: under approve an arithmetic call is proposed, and published only once approved", "[desk]") {
    Card c = three_wards();
    Tally t(c);
    desk(t, policy(CallPolicy::approve));
    accept(t, win("testham", "t1", {"LAB"}));
    auto evs = accept(t, win("testham", "t2", {"LAB"}));
    CHECK(of_type(evs, "control_called").empty());
    auto proposed = of_type(evs, "call_proposed");
    REQUIRE(proposed.size() == 1);
    CHECK(text_of(proposed[0].at("data").at("control")) == "LAB");
    CHECK(text_of(proposed[0].at("data").at("called_by").at("by")) == "arithmetic");
    // Readers see nothing called.
    auto updated = of_type(evs, "council_updated");
    REQUIRE(updated.size() == 1);
    CHECK(updated[0].at("data").at("control").is_null());
    CHECK(text_of(updated[0].at("data").at("status")) == "undecided");
    CHECK(text_of(council_of(t, "testham").at("status")) == "undecided");
    auto st = desk_state(t).at("councils").as_array()[0].as_object();
    CHECK(text_of(st.at("proposal").at("control")) == "LAB");
    CHECK(text_of(st.at("arithmetic").at("control")) == "LAB");

    auto approve = act(DeskKind::approve);
    approve.reason = "checked with the count";
    auto out = desk(t, approve);
    REQUIRE(types(out) == std::vector<std::string>{"control_called", "council_updated", "scoreboard"});
    const auto& by = out[0].at("data").at("called_by");
    CHECK(text_of(by.at("by")) == "arithmetic");
    CHECK(text_of(by.at("approved_by").at("name")) == "night editor");
    CHECK(text_of(by.at("approved_by").at("reason")) == "checked with the count");
    CHECK(by.at("proposal").at("seq").to_number<std::uint64_t>() ==
          proposed[0].at("seq").to_number<std::uint64_t>());
    CHECK(text_of(out[0].at("received_at")) == kAt);
    CHECK(text_of(out[1].at("data").at("control")) == "LAB");
    // Nothing left to approve.
    auto again = t.check(act(DeskKind::approve), kAt);
    REQUIRE(again);
    CHECK(again->code == "no_proposal");
}

TEST_CASE("desk: hold calls nothing until released, release applies the policy then in force", "[desk]") {
    Card c = three_wards();
    Tally t(c);
    desk(t, policy(CallPolicy::hold));
    accept(t, win("testham", "t1", {"LAB"}));
    auto evs = accept(t, win("testham", "t2", {"LAB"}));
    CHECK(of_type(evs, "control_called").empty());
    CHECK(of_type(evs, "call_proposed").empty());
    auto st = desk_state(t).at("councils").as_array()[0].as_object();
    CHECK(st.at("held").as_bool());
    CHECK(text_of(st.at("policy")) == "hold");

    SECTION("released to auto: called at once, by the arithmetic") {
        auto out = desk(t, act(DeskKind::release));
        REQUIRE(types(out) == std::vector<std::string>{"control_called", "council_updated", "scoreboard"});
        CHECK(text_of(out[0].at("data").at("called_by").at("by")) == "arithmetic");
        CHECK_FALSE(out[0].at("data").at("called_by").as_object().contains("approved_by"));
    }
    SECTION("released to approve: proposed") {
        auto release = act(DeskKind::release);
        release.policy = CallPolicy::approve;
        auto out = desk(t, release);
        REQUIRE(types(out) == std::vector<std::string>{"call_proposed"});
    }
    SECTION("release of what is not held is refused and changes nothing") {
        desk(t, act(DeskKind::release));
        const auto seq = t.last_seq();
        auto r = t.apply(act(DeskKind::release), kAt);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error.code == "not_held");
        CHECK(t.last_seq() == seq);
    }
}

TEST_CASE("desk: an override calls ahead of the arithmetic, a contradiction is a call_conflict, return re-derives",
          "[desk]") {
    Card c = three_wards();
    Tally t(c);
    accept(t, win("testham", "t1", {"CON"}));
    auto over = act(DeskKind::override_call);
    over.control = "CON";
    over.reason = "the count agents say CON win the rest";
    auto out = desk(t, over);
    REQUIRE(types(out) == std::vector<std::string>{"control_called", "council_updated", "scoreboard"});
    const auto& by = out[0].at("data").at("called_by");
    CHECK(text_of(by.at("by")) == "desk");
    CHECK(text_of(by.at("name")) == "night editor");
    CHECK(text_of(by.at("reason")) == "the count agents say CON win the rest");
    CHECK(text_of(out[0].at("data").at("control")) == "CON");
    CHECK(text_of(out[0].at("text")).find("(desk call)") != std::string::npos);

    // The arithmetic goes the other way: told once, no call changes.
    accept(t, win("testham", "t2", {"LAB"}));
    auto evs = accept(t, win("testham", "t3", {"LAB"}));
    auto conflict = of_type(evs, "call_conflict");
    REQUIRE(conflict.size() == 1);
    CHECK(text_of(conflict[0].at("data").at("control")) == "LAB");
    CHECK(text_of(conflict[0].at("data").at("desk_call").at("control")) == "CON");
    CHECK(of_type(evs, "call_retracted").empty());
    CHECK(of_type(evs, "control_called").empty());
    CHECK(text_of(council_of(t, "testham").at("control")) == "CON");

    auto back = act(DeskKind::hand_back);
    back.reason = "count finished";
    auto ret = desk(t, back);
    REQUIRE(types(ret) == std::vector<std::string>{"call_retracted", "control_called", "council_updated", "scoreboard"});
    CHECK(text_of(ret[0].at("data").at("called_by").at("by")) == "desk");
    CHECK(text_of(ret[1].at("data").at("control")) == "LAB");
    CHECK(text_of(ret[1].at("data").at("called_by").at("by")) == "arithmetic");
}

TEST_CASE("desk: withdrawing a result undeclares the ward, retracts the call, and takes a higher revision again",
          "[desk]") {
    Card c = three_wards();
    Tally t(c);
    accept(t, win("testham", "t1", {"LAB"}));
    auto called = accept(t, win("testham", "t2", {"LAB"}));
    REQUIRE(of_type(called, "control_called").size() == 1);
    const auto ward_seq = of_type(called, "ward_declared")[0].at("seq").to_number<std::uint64_t>();

    auto w = act(DeskKind::withdraw);
    w.ward = "t2";
    w.revision = 1;
    w.reason = "posted to the wrong ward";
    auto out = desk(t, w);
    REQUIRE(types(out) ==
            std::vector<std::string>{"declaration_withdrawn", "call_retracted", "council_updated", "scoreboard"});
    const auto& d = out[0].at("data");
    CHECK(text_of(d.at("ward")) == "t2");
    CHECK(d.at("withdraws").at("seq").to_number<std::uint64_t>() == ward_seq);
    CHECK(d.at("withdraws").at("revision").to_number<int>() == 1);
    CHECK(d.at("seat_changes").at("LAB").to_number<int>() == -1);
    CHECK(text_of(d.at("desk").at("reason")) == "posted to the wrong ward");
    CHECK(out[2].at("data").at("wards_declared").to_number<int>() == 1);
    CHECK(out[2].at("data").at("control").is_null());
    CHECK(out[3].at("data").at("councillors").at("LAB").at("count").to_number<int>() == 1);

    Declaration same = win("testham", "t2", {"LAB"});
    auto a = t.assess(same);
    CHECK(a.verdict == Verdict::stale);
    CHECK(a.error.code == "withdrawn_revision");
    auto again = accept(t, win("testham", "t2", {"LAB"}, 2));
    CHECK(of_type(again, "ward_declared").size() == 1);
    CHECK(of_type(again, "control_called").size() == 1);

    auto wrong = act(DeskKind::withdraw);
    wrong.ward = "t2";
    wrong.revision = 1;
    auto refused = t.check(wrong, kAt);
    REQUIRE(refused);
    CHECK(refused->code == "revision_not_held");
}

TEST_CASE("desk: ward marks show in events and the council state, a declaration clears them", "[desk]") {
    Card c = three_wards();
    Tally t(c);
    auto m = act(DeskKind::ward_state);
    m.ward = "t1";
    m.state = "count_adjourned";
    m.expected_at = "2022-05-06T10:00:00Z";
    auto out = desk(t, m);
    REQUIRE(types(out) == std::vector<std::string>{"ward_state"});
    CHECK(text_of(out[0].at("data").at("state")) == "count_adjourned");
    CHECK(text_of(out[0].at("data").at("expected_at")) == "2022-05-06T10:00:00Z");
    CHECK(text_of(out[0].at("text")).find("resumes 2022-05-06T10:00:00Z") != std::string::npos);
    auto ward = council_of(t, "testham").at("wards").as_array()[0].as_object();
    CHECK(text_of(ward.at("state")) == "count_adjourned");
    m.state = "recount";
    m.expected_at.clear();
    desk(t, m);
    CHECK(text_of(council_of(t, "testham").at("wards").as_array()[0].at("state")) == "recount");
    accept(t, win("testham", "t1", {"LAB"}));
    CHECK(council_of(t, "testham").at("wards").as_array()[0].at("state").is_null());
    m.state = "none";
    auto none = t.check(m, kAt);
    REQUIRE(none);
    CHECK(none->code == "no_ward_state");
}

TEST_CASE("desk: an embargo holds every call while the tally goes on, lifting releases them in order", "[desk]") {
    Card c = card({council("a", 3, "LAB", {}, 0, wards("a", 3, "LAB")), council("b", 3, "LAB", {}, 0, wards("b", 3, "CON"))});
    Tally t(c);
    auto e = act(DeskKind::embargo, "");
    e.until = "2022-05-06T03:00:00Z";
    auto set = desk(t, e);
    REQUIRE(types(set) == std::vector<std::string>{"embargo_set"});
    CHECK(t.embargo_until() == "2022-05-06T03:00:00Z");
    accept(t, win("b", "b1", {"CON"}));
    auto b = accept(t, win("b", "b2", {"CON"}));
    accept(t, win("a", "a1", {"LAB"}));
    auto a = accept(t, win("a", "a2", {"LAB"}));
    CHECK(of_type(b, "control_called").empty());
    CHECK(of_type(a, "control_called").empty());
    CHECK(of_type(a, "ward_declared").size() == 1);  // results go on
    CHECK(of_type(a, "council_updated")[0].at("data").at("control").is_null());
    auto held = desk_state(t).at("embargo").at("held").as_array();
    REQUIRE(held.size() == 2);
    CHECK(text_of(held[0]) == "b");

    auto lift = act(DeskKind::lift_embargo, "");
    lift.until = "2022-05-06T03:00:00Z";
    auto out = desk(t, lift);
    REQUIRE(types(out) == std::vector<std::string>{"embargo_lifted", "control_called", "council_updated",
                                                   "control_called", "council_updated", "scoreboard"});
    CHECK(text_of(out[1].at("council")) == "b");
    CHECK(text_of(out[1].at("data").at("control")) == "CON");
    CHECK(text_of(out[3].at("council")) == "a");
    CHECK(t.embargo_until().empty());
    // A timer's lift for an embargo that is gone is refused.
    auto late = t.check(lift, kAt);
    REQUIRE(late);
    CHECK(late->code == "no_embargo");
    auto past = act(DeskKind::embargo, "");
    past.until = "2022-05-06T01:00:00Z";
    auto refused = t.check(past, kAt);
    REQUIRE(refused);
    CHECK(refused->code == "bad_time");
}

TEST_CASE("desk: the calls knowable at start-up follow a policy set before the first input", "[desk]") {
    Card c = settled_thirds();
    SECTION("auto (no desk): called at the first input, as before") {
        Tally t(c);
        auto evs = accept(t, win("thirdsby", "s1", {"CON"}));
        REQUIRE(of_type(evs, "control_called").size() == 1);
        CHECK(of_type(evs, "control_called")[0].at("at").is_null());
    }
    SECTION("approve: proposed, not published") {
        Tally t(c);
        auto out = desk(t, policy(CallPolicy::approve, ""));
        REQUIRE(types(out) == std::vector<std::string>{"call_proposed"});
        CHECK(text_of(out[0].at("data").at("control")) == "LAB");
        auto evs = accept(t, win("thirdsby", "s1", {"CON"}));
        CHECK(of_type(evs, "control_called").empty());
    }
    SECTION("hold: nothing") {
        Tally t(c);
        CHECK(desk(t, policy(CallPolicy::hold, "thirdsby")).empty());
        CHECK(desk_state(t).at("councils").as_array()[0].at("held").as_bool());
    }
}

TEST_CASE("desk: the same inputs give the same event bytes", "[desk]") {
    Card c = three_wards();
    auto run = [&] {
        Tally t(c);
        std::string all;
        auto add = [&](const std::vector<Event>& evs) {
            for (const auto& e : evs) all += *e.json + "\n";
        };
        add(*t.apply(policy(CallPolicy::approve), kAt).value);
        add(t.apply(win("testham", "t1", {"LAB"}), "2022-05-06T02:01:00Z"));
        add(t.apply(win("testham", "t2", {"LAB"}), "2022-05-06T02:02:00Z"));
        add(*t.apply(act(DeskKind::approve), "2022-05-06T02:03:00Z").value);
        return all;
    };
    const std::string first = run();
    CHECK(first == run());
    CHECK(first.find("\"type\":\"call_proposed\"") != std::string::npos);
}

TEST_CASE("desk actions as JSON: each field checked, what it takes and what it got", "[desk][json]") {
    auto bad = [](std::string_view body, bool journal = false) {
        auto r = parse_desk_action(body, journal);
        REQUIRE_FALSE(r.ok());
        return r.error;
    };
    CHECK(bad(R"({"action":"approve","council":"x"})").path == "reason");
    CHECK(bad(R"({"action":"approve","council":"x","reason":""})").code == "empty_string");
    CHECK(bad(R"({"action":"approve","council":"x","reason":")" + std::string(501, 'r') + R"("})").code == "too_long");
    auto unknown = bad(R"({"action":"publish","reason":"r"})");
    CHECK(unknown.path == "action");
    CHECK(unknown.got == "\"publish\"");
    CHECK(bad(R"({"action":"policy","policy":"sometimes","reason":"r"})").code == "bad_policy");
    CHECK(bad(R"({"action":"policy","policy":"default","reason":"r"})").code == "bad_policy");  // night has no default
    CHECK(bad(R"({"action":"approve","council":"x","reason":"r","by":"me"})").path == "by");
    CHECK(bad(R"({"action":"approve","council":"x","reason":"r","ward":"w"})").code == "unknown_field");
    CHECK(bad(R"({"action":"embargo","until":"03:00","reason":"r"})").code == "bad_time");
    CHECK(bad(R"({"action":"ward_state","council":"x","ward":"w","state":"recount","expected_at":"2022-05-06T10:00:00Z","reason":"r"})")
              .code == "unexpected_field");
    CHECK(bad(R"({"action":"withdraw","council":"x","ward":"w","revision":0,"reason":"r"})").path == "revision");
    CHECK(bad(R"({"action":"approve","council":"x","reason":"r"})", true).path == "by");  // a journal entry names who

    DeskAction a;
    a.kind = DeskKind::withdraw;
    a.by = "desk: J\u00f6rg";
    a.council = "c";
    a.ward = "w";
    a.revision = 3;
    a.reason = "wrong \"ward\"";
    auto back = parse_desk_action(desk_action_to_json(a), true);
    REQUIRE(back.ok());
    CHECK(back.value->by == a.by);
    CHECK(back.value->reason == a.reason);
    CHECK(back.value->revision == 3);
    CHECK(desk_action_to_json(*back.value) == desk_action_to_json(a));
}
