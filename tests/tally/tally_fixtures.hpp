#pragma once
// Cards, declarations and event parsing for the tally tests. Cards are built
// in C++ (no JSON), so these tests exercise the tally alone.
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "model/card.hpp"
#include "model/declaration.hpp"
#include "model/tally.hpp"

namespace tally_test {

using namespace declared;
namespace json = boost::json;

inline std::vector<Party> parties() {
    return {
        {"LAB", "Labour Party", {"Lab", "Labour"}, "#e4003b", true},
        {"CON", "Conservative Party", {"C"}, "#0087dc", true},
        {"LD", "Liberal Democrats", {}, "", true},
        {"GREEN", "Green Party", {}, "", true},
        {"IND", "Independent", {}, "", false},
        {"OTH", "Others", {}, "", false},
    };
}

inline Ward ward(std::string id, int seats, std::vector<std::string> last_won = {}, bool postponed = false,
                 bool notional = false) {
    Ward w;
    w.id = id;
    w.name = id;
    w.seats = seats;
    w.last_won = std::move(last_won);
    w.postponed = postponed;
    w.notional = notional;
    return w;
}

// n single-seat wards "<prefix>1".."<prefix>n", each last won by last_won (may be empty).
inline std::vector<Ward> wards(const std::string& prefix, int n, const std::string& last_won = "") {
    std::vector<Ward> out;
    for (int i = 1; i <= n; ++i)
        out.push_back(ward(prefix + std::to_string(i), 1,
                           last_won.empty() ? std::vector<std::string>{} : std::vector<std::string>{last_won}));
    return out;
}

inline Council council(std::string id, int size, std::string control_before, std::map<std::string, int> continuing,
                       int continuing_vacancies, std::vector<Ward> ws, std::string region = "West Midlands") {
    Council c;
    c.id = id;
    c.name = id;
    c.region = std::move(region);
    c.size = size;
    c.cycle = continuing.empty() ? Cycle::all_out : Cycle::thirds;
    c.control_before = std::move(control_before);
    c.continuing = std::move(continuing);
    c.continuing_vacancies = continuing_vacancies;
    c.wards = std::move(ws);
    return c;
}

inline Card card(std::vector<Council> councils, bool test = false) {
    Card c;
    c.election = Election{"local.2022-05-05", "Local elections 2022", "2022-05-05", test};
    c.parties = parties();
    c.councils = std::move(councils);
    c.index();
    return c;
}

inline Candidate cand(std::string name, std::string party, std::optional<std::int64_t> votes, bool elected) {
    return Candidate{std::move(name), std::move(party), votes, elected};
}

inline Declaration decl(std::string council, std::string ward, std::vector<Candidate> candidates,
                        std::int64_t revision = 1, std::string at = "2022-05-06T01:00:00Z") {
    Declaration d;
    d.id = ward;
    d.council = std::move(council);
    d.ward = std::move(ward);
    d.revision = revision;
    d.source = "test";
    d.declared_at = std::move(at);
    d.electorate = 5000;
    d.ballots = 1500;
    d.rejected = 3;
    d.candidates = std::move(candidates);
    return d;
}

// A contested result: each winner party gets one elected candidate (most
// votes first), then one GREEN loser with fewer votes than all of them.
inline Declaration win(std::string council, std::string ward, std::vector<std::string> winners,
                       std::int64_t revision = 1, std::string loser = "GREEN") {
    std::vector<Candidate> cs;
    std::int64_t votes = 1000;
    for (std::size_t i = 0; i < winners.size(); ++i)
        cs.push_back(cand("Winner " + std::to_string(i + 1), winners[i], votes - static_cast<std::int64_t>(i) * 10, true));
    cs.push_back(cand("Loser", loser, 100, false));
    return decl(std::move(council), std::move(ward), std::move(cs), revision);
}

inline std::vector<json::object> parse(const std::vector<Event>& events) {
    std::vector<json::object> out;
    for (const auto& e : events) {
        REQUIRE(e.json);
        auto v = json::parse(*e.json);
        REQUIRE(v.is_object());
        out.push_back(v.as_object());
    }
    return out;
}

inline std::string type_of(const json::object& e) { return std::string(e.at("type").as_string()); }

inline std::vector<json::object> of_type(const std::vector<json::object>& events, const std::string& type) {
    std::vector<json::object> out;
    for (const auto& e : events)
        if (type_of(e) == type) out.push_back(e);
    return out;
}

inline std::vector<std::string> types(const std::vector<json::object>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(type_of(e));
    return out;
}

// Assess (must be accepted) and apply; the parsed events.
inline std::vector<json::object> accept(Tally& t, Declaration d, std::string received_at = "2022-05-06T01:00:05Z") {
    auto a = t.assess(d);
    INFO(a.error.message());
    REQUIRE(a.accepted());
    return parse(t.apply(d, received_at));
}

inline std::string str(const json::value& v) { return std::string(v.as_string()); }

inline json::object summary(const Tally& t) { return json::parse(t.summary_json()).as_object(); }

inline json::object by_council(const Tally& t, const std::string& id) {
    const json::object s = summary(t);
    for (const auto& c : s.at("by_council").as_array())
        if (c.as_object().at("id").as_string() == id) return c.as_object();
    FAIL("council not in summary: " << id);
    return {};
}

}  // namespace tally_test
