#pragma once
// A synthetic English local-election night: an election card and one
// declaration per ward (plus a recount's correction), deterministic for a
// seed. The model is described in docs/generate.md.
#include <cstdint>
#include <string>
#include <vector>

#include "model/card.hpp"
#include "model/declaration.hpp"

namespace declared::generate {

inline constexpr std::uint64_t kDefaultSeed = 2026;

struct Options {
    std::uint64_t seed = kDefaultSeed;
    int councils = 200;               // councils on the card (>= 1)
    int ward_scale_permille = 1000;   // council sizes (and so wards) scaled by this / 1000
    std::string date = "2026-05-07";  // polling day, YYYY-MM-DD (a Thursday in May: BST)
    bool test = false;                // rehearsal card (election.test)
};

struct Night {
    Card card;
    // File order: by declared_at, then id, then revision. One per ward that
    // polls (postponed wards have none), plus the recount's revision 2.
    std::vector<Declaration> declarations;
};

// Throws std::invalid_argument for an unusable option (bad date, no councils).
Night generate_night(const Options& options);

}  // namespace declared::generate
