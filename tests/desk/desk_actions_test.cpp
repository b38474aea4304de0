// Each desk action against the real daemon, over HTTP and through `declared
// desk`, with a restart in the middle showing the same event bytes before
// and after (the actions are journalled inputs).
#include <catch2/catch.hpp>

#include "tests/desk/desk_fixture.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

TEST_CASE("desk: policy approve proposes the call, the approval publishes it, a restart keeps both", "[desk]") {
    DeskDaemon d;
    REQUIRE(d.start());
    auto policy = on(action("policy", "approve Testham by hand tonight"));
    policy["policy"] = "approve";
    d.must(policy);
    declare_lab_win(d);
    REQUIRE(d.of_type("call_proposed").size() == 1);
    CHECK(d.of_type("control_called").empty());
    CHECK(jstr(d.get(std::string("/v1/councils/") + kTesthamCouncil).body, "status") == "undecided");
    d.restart_and_compare();
    CHECK(jstr(d.desk(), "councils.0.proposal.control") == "LAB");

    auto seqs = d.must(on(action("approve", "agent confirms the Brook count")));
    REQUIRE(!seqs.empty());
    auto calls = d.of_type("control_called");
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].at("seq").to_number<std::uint64_t>() == seqs.front());
    CHECK(called_by(calls[0]) == "arithmetic");
    CHECK(called_by(calls[0], "approved_by.name") == "editor");
    CHECK(called_by(calls[0], "approved_by.reason") == "agent confirms the Brook count");
    CHECK(called_by(calls[0], "proposal.seq") == jstr(boost::json::value(d.of_type("call_proposed")[0]), "seq"));
    d.restart_and_compare();
    CHECK(jstr(d.desk(), "councils.0.proposal") == "null");
}

TEST_CASE("desk: hold calls nothing, release calls what the arithmetic says, a restart in between", "[desk]") {
    DeskDaemon d;
    REQUIRE(d.start());
    auto hold = on(action("policy", "hold Testham: a recount is rumoured"));
    hold["policy"] = "hold";
    d.must(hold);
    declare_lab_win(d);
    CHECK(d.of_type("control_called").empty());
    CHECK(d.of_type("call_proposed").empty());
    CHECK(jstr(d.desk(), "councils.0.held") == "true");
    d.restart_and_compare();
    d.must(on(action("release", "no recount")));
    auto calls = d.of_type("control_called");
    REQUIRE(calls.size() == 1);
    CHECK(jstr(boost::json::value(calls[0]), "data.control") == "LAB");
    CHECK(called_by(calls[0]) == "arithmetic");
    d.restart_and_compare();
}

TEST_CASE("desk: an override calls the council for the desk, return hands it back to the arithmetic", "[desk]") {
    DeskDaemon d;
    REQUIRE(d.start());
    REQUIRE(d.post(abbey(1)).status == 200);  // LAB 2, CON 1: undecided
    auto over = on(action("override", "our agent at the count: LAB hold"));
    over["control"] = "LAB";
    d.must(over);
    auto calls = d.of_type("control_called");
    REQUIRE(calls.size() == 1);
    CHECK(called_by(calls[0]) == "desk");
    CHECK(called_by(calls[0], "name") == "editor");
    CHECK(called_by(calls[0], "reason") == "our agent at the count: LAB hold");
    CHECK(jstr(d.get(std::string("/v1/councils/") + kTesthamCouncil).body, "control") == "LAB");
    d.restart_and_compare();
    CHECK(jstr(d.desk(), "councils.0.desk_call.control") == "LAB");

    d.must(on(action("return", "let the count decide")));
    auto retracted = d.of_type("call_retracted");
    REQUIRE(retracted.size() == 1);  // the arithmetic is still undecided
    CHECK(called_by(retracted[0]) == "desk");
    CHECK(jstr(d.desk(), "councils.0.desk_call") == "null");
    REQUIRE(d.post(brook(1, 700, 650)).status == 200);  // now the arithmetic calls it
    calls = d.of_type("control_called");
    REQUIRE(calls.size() == 2);
    CHECK(called_by(calls[1]) == "arithmetic");
    d.restart_and_compare();
}

TEST_CASE("desk: the arithmetic contradicting a desk call is a call_conflict and changes no call", "[desk]") {
    DeskDaemon d;
    REQUIRE(d.start());
    auto over = on(action("override", "CON expected to sweep"));
    over["control"] = "CON";
    d.must(over);
    d.restart_and_compare();
    declare_lab_win(d);
    auto conflicts = d.of_type("call_conflict");
    REQUIRE(conflicts.size() == 1);
    CHECK(jstr(boost::json::value(conflicts[0]), "data.control") == "LAB");
    CHECK(jstr(boost::json::value(conflicts[0]), "data.desk_call.control") == "CON");
    CHECK(d.of_type("call_retracted").empty());
    CHECK(d.of_type("control_called").size() == 1);  // the desk's
    CHECK(jstr(d.get(std::string("/v1/councils/") + kTesthamCouncil).body, "control") == "CON");
    CHECK(jstr(d.desk(), "councils.0.conflict") == "LAB");
    d.restart_and_compare();
}

TEST_CASE("desk: a withdrawal undeclares the ward and retracts the call, a higher revision is taken again", "[desk]") {
    DeskDaemon d;
    REQUIRE(d.start());
    declare_lab_win(d);
    REQUIRE(d.of_type("control_called").size() == 1);
    auto w = on(action("withdraw", "posted to the wrong ward"));
    w["ward"] = kBrookWard;
    w["revision"] = 1;
    d.must(w);
    auto withdrawn = d.of_type("declaration_withdrawn");
    REQUIRE(withdrawn.size() == 1);
    CHECK(jstr(boost::json::value(withdrawn[0]), "data.withdraws.revision") == "1");
    REQUIRE(d.of_type("call_retracted").size() == 1);
    const auto council = d.get(std::string("/v1/councils/") + kTesthamCouncil).body;
    CHECK(jstr(council, "wards_declared") == "1");
    CHECK(jstr(council, "control") == "null");
    d.restart_and_compare();

    auto again = d.post(brook(1, 700, 650));  // the withdrawn revision: stale
    CHECK(jstr(again.body, "results.0.status") == "stale");
    CHECK(jstr(again.body, "results.0.error.code") == "withdrawn_revision");
    REQUIRE(d.post(brook(2, 700, 650)).status == 200);
    CHECK(d.of_type("control_called").size() == 2);
    d.restart_and_compare();
    // Withdrawing a revision that is not held is refused: 409, nothing changes.
    const auto before = d.events_page();
    auto stale = d.act(w);
    CHECK(stale.status == 409);
    CHECK(jstr(stale.body, "error.code") == "revision_not_held");
    CHECK(jstr(stale.body, "error.expected") == "the revision held, 2");
    CHECK(d.events_page() == before);
}

TEST_CASE("desk: a recount mark shows in the events and the council, the declaration clears it", "[desk]") {
    DeskDaemon d;
    REQUIRE(d.start());
    auto mark = on(action("ward_state", "candidates asked for a recount"));
    mark["ward"] = kBrookWard;
    mark["state"] = "recount";
    d.must(mark);
    auto states = d.of_type("ward_state");
    REQUIRE(states.size() == 1);
    CHECK(jstr(boost::json::value(states[0]), "data.state") == "recount");
    CHECK(jstr(boost::json::value(states[0]), "text") == "Testham, Brook: recount");
    const std::string path = std::string("/v1/councils/") + kTesthamCouncil;
    CHECK(jstr(d.get(path).body, "wards.1.state") == "recount");
    d.restart_and_compare();
    CHECK(jstr(d.get(path).body, "wards.1.state") == "recount");
    REQUIRE(d.post(brook(1, 700, 650)).status == 200);
    CHECK(jstr(d.get(path).body, "wards.1.state") == "null");
    d.restart_and_compare();
}

TEST_CASE("desk: actions are refused with an ingest token, with no token, and with bad input, nothing changes",
          "[desk][access]") {
    DeskDaemon d;
    REQUIRE(d.start());
    declare_lab_win(d);
    const auto before = d.events_page();
    auto over = on(action("override", "not allowed"));
    over["control"] = "CON";
    auto ingest = d.act(over, kToken);
    CHECK(ingest.status == 403);
    CHECK(jstr(ingest.body, "error.code") == "bad_token");
    auto none = d.act(over, "");
    CHECK(none.status == 401);
    CHECK(jstr(none.body, "error.code") == "no_token");
    auto in_url = request(d.port(), "POST", "/v1/desk/actions?token=" + kDeskToken,
                          {{"Content-Type", "application/json"}}, boost::json::serialize(over));
    CHECK(in_url.status == 401);  // a desk action's token is never taken from the URL
    CHECK(request(d.port(), "GET", "/v1/desk", {{"Authorization", "Bearer " + kToken}}).status == 403);
    CHECK(get(d.port(), "/v1/desk").status == 401);

    auto missing = d.act(on(action("override", "no control given")));
    CHECK(missing.status == 400);
    CHECK(jstr(missing.body, "error.path") == "control");
    CHECK(jstr(missing.body, "error.code") == "missing_field");
    auto bad_policy = on(action("policy"));
    bad_policy["policy"] = "sometimes";
    auto r = d.act(bad_policy);
    CHECK(r.status == 400);
    CHECK(jstr(r.body, "error.path") == "policy");
    CHECK(jstr(r.body, "error.got") == "\"sometimes\"");
    auto unknown = over;
    unknown["council"] = "local.nowhere.2022-05-05";
    CHECK(jstr(d.act(unknown).body, "error.code") == "unknown_council");
    CHECK(d.events_page() == before);
    CHECK(jstr(d.desk(), "councils.0.desk_call") == "null");
}

TEST_CASE("desk: with a desk configured the calls knowable before counting wait for its policy", "[desk]") {
    // Thirds: LAB's continuing councillors alone hold a majority of Thirdsby.
    const std::string card = R"({"format":"declared-card/1",
 "election":{"id":"local.2022-05-05","name":"T","date":"2022-05-05","test":true},
 "parties":[{"code":"LAB","name":"Labour"},{"code":"CON","name":"Conservative"}],
 "councils":[{"id":"local.thirdsby.2022-05-05","ons":"E99000003","name":"Thirdsby","region":"North West","size":7,
   "cycle":"thirds","composition":{"LAB":6,"CON":1},"vacancies":0,"control_before":"LAB","continuing":{"LAB":5,"CON":1},
   "continuing_vacancies":0,"wards":[{"id":"local.thirdsby.s1.2022-05-05","name":"S1","seats":1,"last_won":["LAB"]}],
   "mayors":[]}]})";
    DeskDaemon d(card);
    REQUIRE(d.start());
    CHECK(d.last_seq() == 0);
    auto policy = action("policy", "approve every call tonight");
    policy["policy"] = "approve";
    auto seqs = d.must(policy);
    REQUIRE(seqs.size() == 1);
    auto proposed = d.of_type("call_proposed");
    REQUIRE(proposed.size() == 1);
    CHECK(jstr(boost::json::value(proposed[0]), "data.control") == "LAB");
    CHECK(d.of_type("control_called").empty());
    d.restart_and_compare();
}

TEST_CASE("desk: `declared desk` sends an action, prints the answer, and exits 1 with the server's refusal",
          "[desk][cli]") {
    DeskDaemon d;
    REQUIRE(d.start());
    const std::string url = "http://127.0.0.1:" + std::to_string(d.port());
    auto ok = run_command(kDeclaredBinary,
                          {"desk", url, "policy", kTesthamCouncil, "hold", "--reason", "wait", "--token", kDeskToken},
                          d.dir.path());
    INFO(ok.err);
    CHECK(ok.status.code == 0);
    CHECK(jstr(ok.out, "status") == "applied");
    CHECK(jstr(d.desk(), "councils.0.policy") == "hold");
    auto refused = run_command(kDeclaredBinary,
                               {"desk", url, "approve", kTesthamCouncil, "--reason", "go", "--token", kDeskToken},
                               d.dir.path());
    CHECK(refused.status.code == 1);
    CHECK(refused.err.find("no_proposal") == std::string::npos);  // the message, not the code
    CHECK(refused.err.find("a council with a proposed call awaiting the desk") != std::string::npos);
    auto wrong = run_command(kDeclaredBinary, {"desk", url, "lift", "--reason", "x", "--token", kToken}, d.dir.path());
    CHECK(wrong.status.code == 1);
    CHECK(wrong.err.find("act for the results desk") != std::string::npos);
    auto no_reason = run_command(kDeclaredBinary, {"desk", url, "lift", "--token", kDeskToken}, d.dir.path());
    CHECK(no_reason.status.code == 2);
    auto help = run_command(kDeclaredBinary, {"desk", "--help"}, d.dir.path());
    CHECK(help.status.code == 0);
    CHECK(help.out.find("DECLARED_DESK_TOKEN") != std::string::npos);
}
