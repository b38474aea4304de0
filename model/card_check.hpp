#pragma once
// What a card means once its fields are read: every party reference resolved
// to its code, the defaults that depend on other fields settled (control
// before), and every problem found reported with its path, not only the
// first. Errors make the card unusable; warnings are served with it.
#include <string>
#include <vector>

#include "model/card.hpp"
#include "model/error.hpp"

namespace declared {

struct CardReport {
    std::vector<Error> errors;
    std::vector<Error> warnings;
    bool ok() const { return errors.empty(); }
};

// A party coded or named as independent (IND, Independent, Ind, "Ashfield
// Independents"): several of them are no bloc, so it cannot control unless
// the card says can_control: true explicitly.
bool looks_independent(const Party& p);

// Eve-of-poll control by the majority rule over the composition, on the size
// before the election: a party code, "NOC", or "" when no composition is
// known (or the size is unknown).
std::string derive_control_before(const Card& card, const Council& c);

// Normalises card in place (aliases to codes, control before derived where
// absent), indexes it, and reports every problem.
CardReport check_card(Card& card);

}  // namespace declared
