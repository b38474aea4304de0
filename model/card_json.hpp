#pragma once
// Reading and writing the election card (docs/formats.md). Loading checks the
// card's own consistency and indexes it.
#include <string>
#include <string_view>

#include "model/card.hpp"
#include "model/error.hpp"

namespace declared {

Result<Card> parse_card(std::string_view json);
std::string card_to_json(const Card& card);  // pretty-printed, stable key order

}  // namespace declared
