#pragma once
// A small card for codec and validation tests: one all-out council with a
// three-seat, a one-seat and a postponed ward, and a mayoralty.
#include <string_view>

namespace declared::testing {

inline constexpr std::string_view kSmallCard = R"({
  "format": "declared-card/1",
  "election": {"id": "local.2022-05-05", "name": "Test night", "date": "2022-05-05", "test": true},
  "parties": [
    {"code": "LAB", "name": "Labour", "aliases": ["Lab", "Labour Co-op"], "colour": "#e4003b"},
    {"code": "CON", "name": "Conservative", "aliases": ["C"]},
    {"code": "LD", "name": "Liberal Democrat"},
    {"code": "IND", "name": "Independent", "can_control": false}
  ],
  "councils": [{
    "id": "local.testham.2022-05-05", "ons": "E99000001", "name": "Testham", "region": "North West",
    "size": 5, "cycle": "all-out",
    "composition": {"LAB": 3, "CON": 2}, "vacancies": 0, "control_before": "LAB",
    "continuing": {}, "continuing_vacancies": 0,
    "wards": [
      {"id": "local.testham.abbey.2022-05-05", "name": "Abbey", "seats": 3, "last_won": ["LAB", "LAB", "CON"]},
      {"id": "local.testham.brook.2022-05-05", "name": "Brook", "seats": 1, "last_won": ["CON"]},
      {"id": "local.testham.carr.2022-05-05", "name": "Carr", "seats": 1, "last_won": ["LAB"], "postponed": true}
    ],
    "mayors": [{"id": "mayor.testham.2022-05-05", "name": "Mayor of Testham", "previous": "LAB"}]
  }]
})";

// A valid declaration for Brook (one seat).
inline constexpr std::string_view kBrook = R"({"id": "local.testham.brook.2022-05-05", "council": "local.testham.2022-05-05", "ward": "local.testham.brook.2022-05-05", "revision": 1, "source": "test", "declared_at": "2022-05-06T01:00:00Z", "electorate": 5000, "ballots": 1500, "rejected": 3, "candidates": [{"name": "Smith A.", "party": "Lab", "votes": 700, "elected": true}, {"name": "Jones B.", "party": "CON", "votes": 650, "elected": false}, {"name": "Brown C.", "party": "LD", "votes": 100, "elected": false}]})";

}  // namespace declared::testing
