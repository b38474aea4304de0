#pragma once
// Wire copy: the longer house-style sentence each result and control call
// carries in its event data ("wire"), beside the short alert `text`.
//
//   control_called: "Labour have gained Dudley from no overall control,
//                    winning 38 of the 72 seats. The Conservatives lost 6 seats."
//   ward_declared:  "Crawley: Labour hold Three Bridges, majority 312"
//
// Party names come from the card, in the style of the BBC's copy ("Labour",
// "the Conservatives", "the Liberal Democrats", "the Greens", independents);
// a party the style table does not know is named as the card names it.
// Pure and deterministic: the same state gives the same words.
#include <string>
#include <string_view>
#include <vector>

#include "model/card.hpp"
#include "model/details/council_state.hpp"
#include "model/declaration.hpp"
#include "model/seat_gains.hpp"
#include "model/details/ward_result.hpp"

namespace declared {

// The party as the subject of a sentence ("Labour", "the Conservatives").
std::string party_in_words(const Card& card, std::string_view code);

// The sentence for a control call that has just been made: control is the
// party code or "NOC" the council is now called for.
std::string wire_call(const Card& card, const CouncilState& council, std::string_view control);

// The sentence for a contest's result. order: candidates by votes
// (report_order); seats: each seat's result against the baseline.
std::string wire_result(const Card& card, const Council& council, const Contest& contest, const Declaration& d,
                        const std::vector<std::size_t>& order, const std::vector<SeatResult>& seats, bool correction);

}  // namespace declared
