// `declared card check` and `serve` at start-up report every problem in a
// card with its path, errors and warnings apart; a card with errors does not
// serve.
#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;

namespace {

// Two errors and one warning.
constexpr const char* kBadCard = R"({"format": "declared-card/1", "election": {"id": "local.2022-05-05", "date": "2022-05-05"},
  "parties": [{"code": "LAB"}, {"code": "CON"}],
  "councils": [
    {"id": "local.a.2022-05-05", "name": "A", "size": 1, "composition": {"LAB": 2},
     "wards": [{"id": "local.a.w.2022-05-05", "name": "W", "seats": 1, "last_won": ["UKIP"]}]},
    {"id": "local.b.2022-05-05", "name": "B", "size": 1,
     "wards": [{"id": "local.b.w.2022-05-05", "name": "W", "seats": 1}]}]})";

const std::string kProblems =
    "error: councils[0].wards[0].last_won[0]: expected a party code on the card, got \"UKIP\" [unknown_party]\n"
    "error: councils[0].composition: expected composition + vacancies = size before the election (1), got 2 + 0 = 2 [composition_mismatch]\n"
    "warning: councils[1].control_before: expected a party code or NOC, or a composition to derive it from, got nothing: the outcome will read as unknown_before [control_before_unknown]\n";

}  // namespace

TEST_CASE("card check: every problem with its path, and exit 1 on errors") {
    TempDir dir;
    const std::string card = dir / "card.json";
    write_whole_file(card, kBadCard);
    auto r = run_command(kDeclaredBinary, {"card", "check", card}, dir.path());
    CHECK(r.status.code == 1);
    CHECK(r.out == kProblems + card + ": 2 error(s), 1 warning(s)\n");

    auto usage = run_command(kDeclaredBinary, {"card", "lint", card}, dir.path());
    CHECK(usage.status.code == 2);
}

TEST_CASE("card check: serve reports every problem and does not serve a card with errors") {
    TempDir dir;
    const std::string card = dir / "card.json";
    write_whole_file(card, kBadCard);
    auto r = run_command(kDeclaredBinary,
                         {"serve", "--card", card, "--journal", dir / "journal.dcl", "--listen", "127.0.0.1:0"}, dir.path());
    CHECK(r.status.code == 1);
    const std::string log = r.out + r.err;
    INFO(log);
    CHECK(log.find("councils[0].wards[0].last_won[0]: expected a party code on the card") != std::string::npos);
    CHECK(log.find("councils[0].composition: expected composition + vacancies") != std::string::npos);
    CHECK(log.find("councils[1].control_before: expected a party code or NOC") != std::string::npos);
    CHECK(log.find("2 error(s): not serving") != std::string::npos);
}

TEST_CASE("card check: the imported 2022 card has no errors") {
    if (!have_shared_data()) return;
    TempDir dir;
    const std::string data = DECLARED_SHARED_DATA;
    auto imported = run_command(kDeclaredBinary,
                                {"import", "leh", "--candidates", data + "/leh-2022/candidates.csv", "--councils",
                                 data + "/cbp9545-2022/councils-england.csv", "--baseline",
                                 data + "/leap-2018/leap-2018-05-03.csv", "--roster",
                                 data + "/opencouncildata/councillors-2021.csv", "--postponed",
                                 "Kingston upon Thames:New Malden Village", "--postponed", "Redbridge:Mayfield", "--out",
                                 dir.path()},
                                dir.path());
    REQUIRE(imported.status.code == 0);
    auto r = run_command(kDeclaredBinary, {"card", "check", dir / "card.json"}, dir.path());
    INFO(r.out);
    CHECK(r.status.code == 0);
    CHECK(r.out.find("error:") == std::string::npos);
}
