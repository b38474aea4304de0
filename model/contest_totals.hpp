#pragma once
// National totals of one kind of single-result contest that is not a council
// seat in the councillors table: by-elections, mayoralties, police and crime
// commissioners. Each is reported with its own gains: seats won, gained
// (from another party, against the baseline) and lost, by party.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/card.hpp"
#include "model/json_writer.hpp"
#include "model/seat_gains.hpp"

namespace declared {

enum class ContestKind { by_election, mayor, pcc };

class ContestTotals {
public:
    explicit ContestTotals(const Card& card) : card_(&card), parties_(card.parties.size()) {}

    void add_total(int n) { total_ += n, dirty_ = true; }
    void add_declared(int sign) { declared_ += sign, dirty_ = true; }
    // One result's seats (party codes of the card); sign -1 removes it.
    void add(std::span<const SeatResult> seats, int sign);

    // {"declared": N, "total": N, "parties": {"LAB": {"won":, "gained":, "lost":}}},
    // parties in code_order, those with nothing left out.
    void write(JsonWriter& out, const std::vector<int>& code_order) const;

private:
    struct Line {
        int won = 0, gained = 0, lost = 0;
    };
    Line& line(std::string_view code);

    const Card* card_;
    std::vector<Line> parties_;
    int declared_ = 0;
    int total_ = 0;
    // Rendered again only when a figure changes: every scoreboard event
    // carries it, and most declarations do not touch it.
    mutable std::string cache_;
    mutable bool dirty_ = true;
};

}  // namespace declared
