#pragma once
// Reading and writing the election card (docs/formats.md). Loading checks the
// card's own consistency and indexes it.
#include <optional>
#include <string>
#include <string_view>

#include "model/card.hpp"
#include "model/card_check.hpp"
#include "model/error.hpp"

namespace declared {

// The card and every problem found in it; card is set only when there are
// no errors. Fields that cannot be read stop at the first (reported alone).
struct CardLoad {
    std::optional<Card> card;
    CardReport report;
};
CardLoad load_card(std::string_view json);
// The card, or its first error.
Result<Card> parse_card(std::string_view json);
std::string card_to_json(const Card& card);  // pretty-printed, stable key order

}  // namespace declared
