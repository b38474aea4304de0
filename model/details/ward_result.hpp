#pragma once
// One ward's (or mayoral contest's) result as events show it: candidates in
// vote order with shares, turnout, winners and per-seat gain/hold words.
#include <string>
#include <string_view>
#include <vector>

#include "model/declaration.hpp"
#include "model/json_writer.hpp"
#include "model/seat_gains.hpp"

namespace declared {

// Candidate positions, most votes first; equal votes (and unopposed
// candidates) keep the declaration's order. Winners are the candidates marked
// elected, in this order: a tie decided by lot uses the declared winner.
std::vector<std::size_t> report_order(const Declaration& d);
std::vector<std::string> winner_parties(const Declaration& d, const std::vector<std::size_t>& order);

// What the event says about the contest itself.
struct Contest {
    std::string_view kind;   // "ward", "mayor" or "pcc"
    std::string_view id;
    std::string_view name;
    int seats = 1;
    const std::vector<std::string>* baseline = nullptr;  // last_won or {previous}; may be empty
    bool notional = false;
    bool by_election = false;
};

// Writes the ward result fields (formats.md, ward_declared) into an open
// object. summary: seat_words(seats), which the caller also needs for the text.
void write_ward_result(JsonWriter& out, const Contest& contest, const Declaration& d,
                       const std::vector<std::size_t>& order, const std::vector<SeatResult>& seats,
                       std::string_view summary);

// Appends ": " + summary (+ " (unopposed)", " (1 seat vacant)", " (decided by lot)", " (notional)")
// to the place in out: "Reading, Abbey: LAB GAIN from CON, LAB HOLD x2".
void append_ward_text(std::string& out, std::string_view summary, bool uncontested, int vacant, bool by_lot,
                      bool notional);

}  // namespace declared
