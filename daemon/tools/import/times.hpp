#pragma once
// Synthesised declaration times (the source has none). Seeded and
// deterministic: the same seed and councils give the same times, and each
// council's times depend only on the seed and that council (adding a council
// does not move the others). See docs/import.md for the model.
#include <cstdint>
#include <string>
#include <vector>

namespace declared::import {

inline constexpr std::uint64_t kDefaultSeed = 20220505;

struct CountPlan {
    std::string id;    // council id (seeds the council's draws)
    std::string name;  // council name (traditionally early counters)
    std::string type;  // LEH type: MB, LB, UAT, UAA, SDT, SDA, CC...
    int wards = 0;     // declarations to time (postponed polls excluded)
};

struct CouncilTimes {
    bool daytime = false;            // counts on Friday rather than overnight
    std::vector<std::string> times;  // one per ward, ascending, ISO 8601 UTC "2022-05-06T01:20:00Z"
};

// date: polling day, "YYYY-MM-DD". Polls close 22:00 UK local time.
std::vector<CouncilTimes> synthesise_times(const std::vector<CountPlan>& councils, const std::string& date, std::uint64_t seed);

// The first Thursday of May of `year`, "YYYY-MM-DD" (English local elections' usual day).
std::string first_thursday_of_may(int year);

}  // namespace declared::import
