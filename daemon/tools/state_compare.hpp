#pragma once
// Is a running daemon's state the fault-free night's? Replays the intended
// declarations offline into a Tally (as `declared replay` does) and compares
// GET /v1/scoreboard and GET /v1/councils/{id} for every council on the card
// with it. What depends on the route an input took, not on the result, is
// left out of the comparison: event ids and seqs, and the scoreboard's
// last_seq (a fault adds or removes events), whether a call's event exists
// but not its seq, and each result's "source" (the daemon names the token
// that sent it). Desk actions among the inputs (a rehearsal's withdrawals)
// are applied offline too, as of the time of the declaration before them.
#include <span>
#include <string>
#include <vector>

#include "daemon/tools/night_file.hpp"
#include "model/card.hpp"

namespace declared {

struct StateComparison {
    std::string error;                     // set when the daemon could not be read
    std::size_t councils = 0;              // councils compared
    std::vector<std::string> differences;  // "council X: path: daemon has A, offline B"
    bool equal() const { return error.empty() && differences.empty(); }
};

// url: http://HOST:PORT[/prefix]; read_token: for a private night (may be empty).
StateComparison compare_with_offline(const std::string& url, const std::string& read_token, const Card& card,
                                     std::span<const NightInput> intended);

}  // namespace declared
