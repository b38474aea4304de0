// REST filters: GET /v1/events with councils, regions and types (as the
// feed takes them), and GET /v1/councils by region and status, compared with
// the unfiltered answers; bad filters refused with what, where and why.
#include "tests/feed/feed_fixture.hpp"

using namespace declared::testing;

namespace {

std::vector<std::string> night(int councils, int wards) {
    std::vector<std::string> out;
    for (int w = 0; w < wards; ++w)
        for (int c = 0; c < councils; ++c) out.push_back(decl(c, w));
    return out;
}

// Every event matching query, paged by `limit` the way the docs say: after a
// full page from its last event, else from its last_seq.
std::vector<FeedEvent> filtered_pages(const Daemon& d, const std::string& query, std::size_t limit, int* pages) {
    std::vector<FeedEvent> out;
    std::uint64_t since = 0;
    *pages = 0;
    for (;;) {
        auto r = d.get(fmt::format("/v1/events?since={}&limit={}&{}", since, limit, query));
        REQUIRE(r.status == 200);
        auto v = parse_json(r.body);
        const auto& events = v.as_object().at("events").as_array();
        ++*pages;
        for (const auto& e : events) out.push_back(*parse_event(boost::json::serialize(e)));
        if (events.size() < limit) break;
        since = out.back().seq;
        REQUIRE(*pages < 1000);
    }
    return out;
}

}  // namespace

TEST_CASE("query: /v1/events with councils, regions and types gives exactly the matching events, in order, across pages", "[query]") {
    Daemon d(multi_card(6, 5));
    REQUIRE(d.start());
    push(d, night(6, 5));
    auto ref = reference_events(d);
    struct Case {
        std::string query;
        Filter filter;
    };
    const std::vector<Case> cases{
        {"types=control_called,call_retracted", {{}, {}, {"control_called", "call_retracted"}}},
        {"councils=" + council_id(1) + "," + council_id(4), {{council_id(1), council_id(4)}, {}, {}}},
        {"regions=Wales&types=ward_declared", {{}, {"Wales"}, {"ward_declared"}}},
        {"regions=North%20West", {{}, {"North West"}, {}}},
    };
    for (const auto& c : cases) {
        INFO(c.query);
        const auto want = select(ref.events, c.filter);
        REQUIRE(!want.empty());
        REQUIRE(want.size() < ref.events.size());
        int pages = 0;
        auto whole = filtered_pages(d, c.query, 10000, &pages);
        CHECK(pages == 1);
        REQUIRE(first_difference(whole, want) == "");
        auto paged = filtered_pages(d, c.query, 7, &pages);
        CHECK(pages == static_cast<int>(want.size() / 7 + 1));
        REQUIRE(first_difference(paged, want) == "");
    }
    // A page that is not full says it examined everything: last_seq is the newest.
    auto r = d.get("/v1/events?since=0&types=control_called");
    CHECK(jstr(r.body, "last_seq") == std::to_string(ref.last_seq));
    CHECK(jstr(r.body, "truncated") == "false");
    // No filter: the same page as before the filters existed.
    CHECK(page_events(d.get("/v1/events?since=3&limit=5").body).size() == 5);
}

TEST_CASE("query: /v1/councils by region and status is the matching part of the unfiltered list", "[query]") {
    Daemon d(multi_card(6, 5));
    REQUIRE(d.start());
    push(d, night(6, 5));
    push(d, {decl(0, 0, 2), decl(1, 0, 2)});
    const auto all = parse_json(d.get("/v1/councils").body).as_object().at("councils").as_array();
    auto expect = [&](const std::set<std::string>& regions, const std::set<std::string>& statuses) {
        boost::json::array out;
        for (const auto& c : all) {
            const auto& o = c.as_object();
            if (!regions.empty() && !regions.count(std::string(o.at("region").as_string()))) continue;
            if (!statuses.empty() && !statuses.count(std::string(o.at("status").as_string()))) continue;
            out.push_back(c);
        }
        return boost::json::serialize(out);
    };
    auto got = [&](const std::string& query) {
        auto r = d.get("/v1/councils?" + query);
        REQUIRE(r.status == 200);
        return boost::json::serialize(parse_json(r.body).as_object().at("councils"));
    };
    CHECK(got("regions=London") == expect({"London"}, {}));
    CHECK(got("region=London,Wales") == expect({"London", "Wales"}, {}));
    CHECK(got("status=final") == expect({}, {"final"}));
    CHECK(got("regions=London&status=final,secured") == expect({"London"}, {"final", "secured"}));
    CHECK(expect({"London"}, {}) != "[]");
    CHECK(expect({}, {"final"}) != "[]");
    CHECK(got("status=undecided") == "[]");
}

TEST_CASE("query: bad filters on /v1/events and /v1/councils are refused 400 naming the parameter and what it takes", "[query]") {
    Daemon d(multi_card(3, 3));
    REQUIRE(d.start());
    push(d, night(3, 2));
    const auto before = d.get("/v1/events?since=0&limit=10000").body;
    struct Case {
        std::string target, code, message;
    };
    const std::vector<Case> cases{
        {"/v1/events?types=ward_declared,bogus", "bad_filter",
         "types: expected event types among ward_declared, declaration_corrected, council_updated, control_called, "
         "call_retracted, scoreboard, call_proposed, call_conflict, declaration_withdrawn, ward_state, embargo_set, "
         "embargo_lifted, got \"bogus\""},
        {"/v1/events?councils=local.nowhere.2022-05-05", "bad_filter",
         "councils: no council 'local.nowhere.2022-05-05' on the card (see /v1/councils)"},
        {"/v1/events?colour=red", "bad_query", "unknown parameter 'colour'; use since, limit, councils, regions, types"},
        {"/v1/events?since=-1", "bad_query", "since must be a non-negative integer, got '-1'"},
        {"/v1/councils?status=won", "bad_filter",
         "status: expected among unknown, undecided, secured, noc_certain, final, got 'won'"},
        {"/v1/councils?regions=Atlantis", "bad_filter",
         "regions: no council on the card is in 'Atlantis'; the regions are London, North West, Wales"},
        {"/v1/councils?sort=name", "bad_query", "unknown parameter 'sort'; use regions (or region) and status"},
    };
    for (const auto& c : cases) {
        INFO(c.target);
        auto r = d.get(c.target);
        CHECK(r.status == 400);
        CHECK(jstr(r.body, "error.code") == c.code);
        CHECK(jstr(r.body, "error.message") == c.message);
    }
    CHECK(d.get("/v1/events?since=0&limit=10000").body == before);
}

TEST_CASE("query: /v1/card gives the parties with their colours and the councils with their hex cells", "[query]") {
    auto card = multi_card(2, 2);
    const std::string first = "\"id\":\"" + council_id(0) + "\",";
    card.replace(card.find(first), first.size(), first + R"("hex":{"q":3,"r":-4},)");
    const std::string lab = R"({"code":"LAB","name":"Labour")";
    card.replace(card.find(lab), lab.size(), lab + R"(,"colour":"#e4003b")");
    Daemon d(card);
    REQUIRE(d.start());
    auto r = d.get("/v1/card");
    REQUIRE(r.status == 200);
    auto v = parse_json(r.body);
    CHECK(jstr(v, "election.id") == kElection);
    CHECK(jstr(v, "election.test") == "true");
    CHECK(jstr(v, "layout") == "odd-r");
    CHECK(jstr(v, "parties.0.code") == "LAB");
    CHECK(jstr(v, "parties.0.colour") == "#e4003b");
    CHECK(jstr(v, "parties.1.colour") == "null");
    CHECK(jstr(v, "parties.3.can_control") == "false");
    CHECK(jstr(v, "councils.0.id") == council_id(0));
    CHECK(jstr(v, "councils.0.hex") == R"({"q":3,"r":-4})");
    CHECK(jstr(v, "councils.0.ons") == "E99000000");
    CHECK(jstr(v, "councils.0.region") == region_of(0));
    CHECK(jstr(v, "councils.1.hex") == "null");
    CHECK(v.as_object().at("councils").as_array().size() == 3);
}
