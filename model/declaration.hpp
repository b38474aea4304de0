#pragma once
// One declaration: the returning officer's result for one ward (or one
// single-winner contest), as a source reported it. See docs/formats.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace declared {

struct Candidate {
    std::string name;                  // "Rowland K."
    std::string party;                 // party code (aliases resolved by validate())
    std::optional<std::int64_t> votes; // none when returned unopposed
    bool elected = false;

    bool operator==(const Candidate&) const = default;
};

// Lots drawn (or a coin tossed) between candidates with equal votes. Lots
// may decide more than one seat: four tied for two seats, two elected by lot.
struct Lots {
    std::vector<std::string> between;  // candidate names: every one tied at the boundary
    std::vector<std::string> winners;  // those elected by lot

    bool operator==(const Lots&) const = default;
};

struct Declaration {
    std::string id;       // source's id for this result; usually the ward's ballot id
    std::string council;  // council id on the card
    std::string ward;     // ward id (or mayoral contest id) on the card
    std::int64_t revision = 1;  // higher replaces lower; same revision must mean same content
    std::string source;         // who sent it: "pa", "reporter:jsmith", "import"...
    std::string declared_at;    // ISO 8601 UTC, from the source
    std::optional<std::int64_t> electorate;
    std::optional<std::int64_t> ballots;   // ballot papers counted (turnout)
    std::optional<std::int64_t> rejected;  // rejected ballot papers
    std::vector<Candidate> candidates;
    std::optional<Lots> lots;

    bool operator==(const Declaration&) const = default;
    bool uncontested() const;  // no candidate has votes
};

}  // namespace declared
