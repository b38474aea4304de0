#pragma once
// Per-seat gains and holds of one ward against the last time its seats were
// fought (the BBC's method): a multiset match of tonight's winners against
// last time's, seat by seat. Winners {LAB, LAB, CON} against {LAB, CON, CON}:
// one LAB hold, one CON hold, and one LAB gain from CON.
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace declared {

struct SeatResult {
    enum class Kind { hold, gain, elected };  // elected: no baseline to compare with
    std::string_view party;
    Kind kind = Kind::elected;
    std::string_view from;  // the party that lost the seat, for a gain

    bool operator==(const SeatResult&) const = default;
};

std::string_view to_string(SeatResult::Kind k);  // "hold", "gain", "elected"

// winners: party of each elected candidate, in the order to report them.
// last_won: the baseline, one party per seat, or empty when unknown (then every
// seat is "elected"). The views point into the two spans' strings. Holds are
// matched first (min of the two counts per party); the remaining winners, in
// order, gain from the remaining baseline seats in last_won order.
std::vector<SeatResult> seat_results(std::span<const std::string> winners,
                                     std::span<const std::string> last_won);

// House style, identical results grouped in first-seen order:
// "LAB GAIN from CON, LAB HOLD, CON HOLD"; "LAB HOLD x2"; "LAB elected".
// name: how to name a party in the words (alert text uses the card's labels);
// empty, its code.
using PartyName = std::function<std::string_view(std::string_view code)>;
std::string seat_words(std::span<const SeatResult> seats, const PartyName& name = {});

}  // namespace declared
