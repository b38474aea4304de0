#pragma once
// Checks a parsed declaration against the card: everything that can be judged
// without knowing what was declared before. Party aliases are resolved to codes
// in place; nothing else is changed.
#include <optional>

#include "model/card.hpp"
#include "model/declaration.hpp"
#include "model/error.hpp"

namespace declared {

std::optional<Error> validate(const Card& card, Declaration& d);

}  // namespace declared
