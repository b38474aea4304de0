#pragma once
// A daemon with a results desk for the desk integration tests: the small
// card (tests/support/small_card.hpp), a desk token named "editor", desk
// actions over HTTP, and a restart that checks the events are the same bytes
// before and after.
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "tests/daemon/daemon_fixture.hpp"

namespace declared::testing {

inline const std::string kDeskToken = "desk-s3cret";

struct DeskDaemon : Daemon {
    explicit DeskDaemon(const std::string& card = std::string(kSmallCard))
        : Daemon(card, {"--desk-token", "editor:" + kDeskToken}) {}

    // POST /v1/desk/actions with the desk token (or another; "" sends none).
    HttpResponse act(const boost::json::object& body, const std::string& token = kDeskToken) const {
        std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
        if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
        return request(port(), "POST", "/v1/desk/actions", headers, boost::json::serialize(body));
    }
    // act() that must be applied; the seqs of the events it caused.
    std::vector<std::uint64_t> must(const boost::json::object& body) const {
        auto r = act(body);
        INFO(r.body);
        REQUIRE(r.status == 200);
        std::vector<std::uint64_t> seqs;
        const auto answer = parse_json(r.body);
        for (const auto& s : answer.at("seqs").as_array()) seqs.push_back(s.to_number<std::uint64_t>());
        return seqs;
    }
    boost::json::value desk() const {
        return parse_json(request(port(), "GET", "/v1/desk", {{"Authorization", "Bearer " + kDeskToken}}).body);
    }
    std::string events_page() const { return get("/v1/events?since=0&limit=10000").body; }
    // Every event of a type, parsed, in seq order.
    std::vector<boost::json::object> of_type(const std::string& type) const {
        std::vector<boost::json::object> out;
        const auto page = parse_json(events_page());  // kept: the loop ranges over a part of it
        for (const auto& e : page.at("events").as_array())
            if (e.at("type").as_string() == type) out.push_back(e.as_object());
        return out;
    }
    // Stops and starts the daemon on its journal: the events must be the same bytes.
    void restart_and_compare() {
        const std::string before = events_page();
        REQUIRE(parse_json(before).at("events").as_array().size() > 0);
        REQUIRE(process.terminate().exited());
        REQUIRE(start());
        CHECK(events_page() == before);
    }
};

inline boost::json::object action(std::string kind, std::string reason = "desk test") {
    return {{"action", std::move(kind)}, {"reason", std::move(reason)}};
}
inline boost::json::object on(boost::json::object a, const std::string& council = kTesthamCouncil) {
    a["council"] = council;
    return a;
}

// Abbey (LAB 2, CON 1), then Brook to LAB: Testham (M = 3 with Carr postponed) is LAB's.
inline void declare_lab_win(const DeskDaemon& d) {
    REQUIRE(d.post(abbey(1)).status == 200);
    REQUIRE(d.post(brook(1, 700, 650)).status == 200);
}

inline std::string called_by(const boost::json::object& event, const std::string& key = "by") {
    return jstr(boost::json::value(event), "data.called_by." + key);
}

}  // namespace declared::testing
