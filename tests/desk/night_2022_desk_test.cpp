// The complaint on the real 2022 night: the calls that the card alone
// settles went out at start-up, before any vote was counted. With a desk,
// they wait for its policy: proposed under approve, nothing under hold.
#include <catch2/catch.hpp>

#include "tests/desk/desk_fixture.hpp"

using namespace declared::testing;

namespace {

std::string imported_2022_card(const TempDir& dir) {
    const std::string data = DECLARED_SHARED_DATA;
    auto r = run_command(kDeclaredBinary,
                         {"import", "leh", "--candidates", data + "/leh-2022/candidates.csv", "--councils",
                          data + "/cbp9545-2022/councils-england.csv", "--baseline",
                          data + "/leap-2018/leap-2018-05-03.csv", "--roster",
                          data + "/opencouncildata/councillors-2021.csv", "--out", dir.path()},
                         dir.path());
    INFO(r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0));
    REQUIRE(r.status.code == 0);
    return read_whole_file(dir / "card.json");
}

std::size_t count(const DeskDaemon& d, const std::string& type) { return d.of_type(type).size(); }

}  // namespace

TEST_CASE("desk on the 2022 night: the calls knowable before counting are proposed under approve, held under hold",
          "[desk][2022]") {
    if (!have_shared_data()) return;
    TempDir dir;
    const std::string card = imported_2022_card(dir);

    Daemon plain(card);  // no desk: published at start-up, as before
    REQUIRE(plain.start());
    std::size_t at_start = 0;
    for (const auto& e : page_events(plain.get("/v1/events?since=0&limit=10000").body))
        if (jstr(e, "type") == "control_called") ++at_start;
    REQUIRE(at_start > 0);
    plain.process.terminate();

    DeskDaemon approve(card);
    REQUIRE(approve.start());
    CHECK(approve.last_seq() == 0);
    auto policy = action("policy", "every call approved tonight");
    policy["policy"] = "approve";
    approve.must(policy);
    CHECK(count(approve, "call_proposed") == at_start);
    CHECK(count(approve, "control_called") == 0);
    approve.restart_and_compare();

    DeskDaemon hold(card);
    REQUIRE(hold.start());
    policy["policy"] = "hold";
    CHECK(hold.must(policy).empty());
    CHECK(hold.last_seq() == 0);
    std::size_t held = 0;
    const auto state = hold.desk();
    INFO(boost::json::serialize(state).substr(0, 300));
    REQUIRE(state.is_object());
    for (const auto& c : state.at("councils").as_array()) held += c.at("held").as_bool() ? 1 : 0;
    CHECK(held == at_start);
}
