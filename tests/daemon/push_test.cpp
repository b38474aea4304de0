// HTTP push against the real daemon: accepted, duplicate, conflict,
// correction and stale, each answered as specified and checked through the
// read API (/v1/councils/{id}, /v1/scoreboard, /v1/events?since=).
#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

using namespace declared::testing;

namespace {

// The ward object for ward_id inside GET /v1/councils/{id}.
boost::json::object ward_state(const Daemon& d, const std::string& ward_id) {
    auto res = d.get(std::string("/v1/councils/") + kTesthamCouncil);
    REQUIRE(res.status == 200);
    auto v = parse_json(res.body);
    for (const auto& w : v.as_object().at("wards").as_array())
        if (w.as_object().at("id").as_string() == ward_id) return w.as_object();
    FAIL("ward " << ward_id << " not in " << res.body.substr(0, 300));
    return {};
}

std::vector<std::uint64_t> seqs_of(const std::string& body, std::size_t line = 0) {
    std::vector<std::uint64_t> out;
    auto v = parse_json(body);
    auto* s = v.as_object().at("results").as_array().at(line).as_object().if_contains("seqs");
    if (s)
        for (const auto& x : s->as_array()) out.push_back(x.to_number<std::uint64_t>());
    return out;
}

}  // namespace

TEST_CASE("push: accepted, duplicate, conflict, correction, stale through the read API") {
    Daemon d{std::string(kSmallCard)};
    REQUIRE(d.start());
    REQUIRE(d.get("/healthz").status == 200);
    REQUIRE(d.get("/readyz").status == 200);

    const std::uint64_t seq0 = d.last_seq();
    const long long journal0 = d.journal_size();
    REQUIRE(journal0 == 16);  // a new journal: the header only

    // Accepted: one declaration as application/json.
    auto r1 = d.post(brook(1, 700, 650), "application/json");
    REQUIRE(r1.status == 200);
    CHECK(jstr(r1.body, "status") == "accepted");
    CHECK(jstr(r1.body, "accepted") == "1");
    CHECK(jstr(r1.body, "results.0.ward") == kBrookWard);
    CHECK(jstr(r1.body, "results.0.revision") == "1");
    auto seqs1 = seqs_of(r1.body);
    REQUIRE(!seqs1.empty());
    CHECK(seqs1.front() == seq0 + 1);
    const std::uint64_t seq1 = d.last_seq();
    CHECK(seq1 == seqs1.back());
    const long long journal1 = d.journal_size();
    CHECK(journal1 > journal0);  // acknowledged means journalled

    // The events it produced are exactly those seqs, starting with ward_declared.
    auto page = parse_json(d.get(fmt::format("/v1/events?since={}", seq0)).body);
    auto& events = page.as_object().at("events").as_array();
    REQUIRE(events.size() == seqs1.size());
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(events[i].as_object().at("seq").to_number<std::uint64_t>() == seqs1[i]);
    CHECK(jstr(events[0], "type") == "ward_declared");
    CHECK(jstr(events[0], "test") == "true");

    // State: Smith (alias "Lab" normalised to LAB) elected in Brook, revision 1.
    auto w = ward_state(d, kBrookWard);
    CHECK(jstr(w, "declared") == "true");
    CHECK(jstr(w, "result.revision") == "1");
    CHECK(jstr(w, "result.candidates.0.name") == "Smith A.");
    CHECK(jstr(w, "result.candidates.0.party") == "LAB");
    CHECK(jstr(w, "result.candidates.0.elected") == "true");
    CHECK(jstr(w, "result.source") == "push");
    auto board1 = d.scoreboard();
    CHECK(jstr(board1, "wards_declared") == "1");
    CHECK(jstr(board1, "last_seq") == std::to_string(seq1));

    // Duplicate: same revision, same content (whitespace differs): 200, no events, journal unchanged.
    auto dup = d.post(brook(1, 700, 650) + "\n", "application/json");
    REQUIRE(dup.status == 200);
    CHECK(jstr(dup.body, "status") == "duplicate");
    CHECK(jstr(dup.body, "duplicate") == "1");
    CHECK(jstr(dup.body, "accepted") == "0");
    CHECK(seqs_of(dup.body).empty());
    CHECK(d.last_seq() == seq1);
    CHECK(d.journal_size() == journal1);

    // Conflict: same revision, different votes: 409 naming the revision, nothing changes.
    auto conflict = d.post(brook(1, 710, 650), "application/json");
    REQUIRE(conflict.status == 409);
    CHECK(jstr(conflict.body, "status") == "conflict");
    CHECK(jstr(conflict.body, "error.code") == "conflict");
    CHECK(jstr(conflict.body, "error.path") == "revision");
    CHECK(jstr(conflict.body, "results.0.status") == "conflict");
    CHECK(d.last_seq() == seq1);
    CHECK(d.journal_size() == journal1);
    CHECK(d.scoreboard() == board1);
    CHECK(jstr(ward_state(d, kBrookWard), "result.candidates.0.votes") == "700");

    // Correction: revision 2 turns Brook over to Jones (CON).
    auto corr = d.post(brook(2, 600, 800), "application/json");
    REQUIRE(corr.status == 200);
    CHECK(jstr(corr.body, "status") == "corrected");
    CHECK(jstr(corr.body, "accepted") == "1");
    auto seqs2 = seqs_of(corr.body);
    REQUIRE(!seqs2.empty());
    CHECK(seqs2.front() == seq1 + 1);
    const std::uint64_t seq2 = d.last_seq();
    CHECK(seq2 == seqs2.back());
    CHECK(d.journal_size() > journal1);
    auto page2 = parse_json(d.get(fmt::format("/v1/events?since={}", seq1)).body);
    auto& events2 = page2.as_object().at("events").as_array();
    REQUIRE(events2.size() == seqs2.size());
    CHECK(jstr(events2[0], "type") == "declaration_corrected");
    w = ward_state(d, kBrookWard);
    CHECK(jstr(w, "result.revision") == "2");
    // Candidates are listed by votes: Jones first, elected.
    CHECK(jstr(w, "result.candidates.0.name") == "Jones B.");
    CHECK(jstr(w, "result.candidates.0.elected") == "true");
    CHECK(jstr(d.scoreboard(), "wards_declared") == "1");  // a correction is not a new ward

    // Stale: revision 1 again after 2: 200, "stale", nothing changes.
    const long long journal2 = d.journal_size();
    auto stale = d.post(brook(1, 700, 650), "application/json");
    REQUIRE(stale.status == 200);
    CHECK(jstr(stale.body, "status") == "stale");
    CHECK(jstr(stale.body, "stale") == "1");
    CHECK(jstr(stale.body, "results.0.error.code") == "stale_revision");
    CHECK(d.last_seq() == seq2);
    CHECK(d.journal_size() == journal2);
    CHECK(jstr(ward_state(d, kBrookWard), "result.revision") == "2");

    // A JSON-lines batch of new, duplicate and new: 200 "done" with a result per line.
    auto batch = d.post(abbey(1) + "\n" + brook(2, 600, 800) + "\n\n" + mayor(1) + "\n");
    REQUIRE(batch.status == 200);
    CHECK(jstr(batch.body, "status") == "done");
    CHECK(jstr(batch.body, "accepted") == "2");
    CHECK(jstr(batch.body, "duplicate") == "1");
    CHECK(jstr(batch.body, "results.0.line") == "1");
    CHECK(jstr(batch.body, "results.0.status") == "accepted");
    CHECK(jstr(batch.body, "results.1.status") == "duplicate");
    CHECK(jstr(batch.body, "results.2.line") == "4");  // blank line 3 skipped, numbering kept
    CHECK(jstr(batch.body, "results.2.status") == "accepted");
    CHECK(jstr(ward_state(d, kAbbey), "result.revision") == "1");
    CHECK(jstr(d.scoreboard(), "wards_declared") == "2");  // Abbey and Brook; the mayoralty is not a ward
    CHECK(d.last_seq() == seqs_of(batch.body, 2).back());

    // A batch where one line conflicts: 409, the other line applied.
    auto mixed = d.post(brook(2, 601, 800) + "\n" + abbey(2) + "\n");
    REQUIRE(mixed.status == 409);
    CHECK(jstr(mixed.body, "status") == "conflict");
    CHECK(jstr(mixed.body, "error.line") == "1");
    CHECK(jstr(mixed.body, "results.0.status") == "conflict");
    CHECK(jstr(mixed.body, "results.1.status") == "corrected");
    CHECK(jstr(ward_state(d, kAbbey), "result.revision") == "2");
    CHECK(jstr(ward_state(d, kBrookWard), "result.candidates.0.votes") == "800");

    // Everything survives a restart: same events, same scoreboard.
    auto events_before = d.get("/v1/events?since=0&limit=100000").body;
    auto board_before = d.scoreboard();
    auto st = d.process.terminate();
    CHECK(st.exited());
    CHECK(st.code == 0);
    REQUIRE(d.start());
    CHECK(d.get("/v1/events?since=0&limit=100000").body == events_before);
    CHECK(d.scoreboard() == board_before);
}

TEST_CASE("read API: precise 404s and council listing") {
    Daemon d{std::string(kSmallCard)};
    REQUIRE(d.start());
    auto c = d.get("/v1/councils");
    REQUIRE(c.status == 200);
    CHECK(jstr(c.body, "councils.0.id") == kTesthamCouncil);
    auto missing = d.get("/v1/councils/local.nowhere.2022-05-05");
    CHECK(missing.status == 404);
    CHECK(jstr(missing.body, "error.code") == "unknown_council");
    auto metrics = d.get("/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("declared_declarations_accepted_total 0") != std::string::npos);
}
