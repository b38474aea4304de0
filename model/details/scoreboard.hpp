#pragma once
// National running totals: councils declared, councils by controlling party
// and NOC (with net change against eve-of-poll control), councillors elected
// tonight by party (with net change against the last-fought baseline), vote
// share and turnout over declared wards. Updated incrementally, by adding and
// removing one ward's or one council's contribution, so that a declaration
// costs work proportional to that ward, never a rescan of the night.
#include <cstdint>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "model/card.hpp"
#include "model/json_writer.hpp"
#include "model/contest_totals.hpp"
#include "model/seat_gains.hpp"

namespace declared {

// What one declared ward adds to the national totals. Party numbers are
// positions in Card::parties.
struct WardContribution {
    std::vector<int> winners;  // party of each seat won
    std::vector<int> baseline; // party of each seat last time; empty when unknown
    std::vector<std::pair<int, std::int64_t>> votes;  // party, votes (contested wards)
    std::int64_t electorate = 0;  // both zero unless the declaration has both
    std::int64_t ballots = 0;
};

class Scoreboard {
public:
    explicit Scoreboard(const Card& card);

    // sign +1 adds a ward's result, -1 removes it (a correction replaces it).
    void add_ward(const WardContribution& w, int sign);
    void add_ward_declared(int sign) { wards_declared_ += sign; }
    // A by-election's, mayoralty's or PCC's seat results (party codes of the
    // card): reported on their own, held and gained by party, never in the
    // councillors.
    void add_contest(ContestKind kind, std::span<const SeatResult> seats, int sign) { contests(kind).add(seats, sign); }
    void add_contest_declared(ContestKind kind, int sign) { contests(kind).add_declared(sign); }
    // A council whose control is known (called, or complete): before and after
    // are party positions, noc() for NOC, or -1 when unknown. A council with
    // control before unknown counts for its party and in no one's change.
    void add_council_control(int before, int after, int sign);
    void add_council_declared(int sign) {
        councils_declared_ += sign;
        ++councils_version_;
    }

    int change(int p) const {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        return t.councils - t.councils_unbased - t.councils_before;
    }
    int noc() const { return static_cast<int>(parties_.size()) - 1; }

    // Fields of the scoreboard event body and of the summary (formats.md),
    // into an open object.
    void write(JsonWriter& out) const;
    // "12 of 146 councils declared. Councils: LAB 8 (+2), NOC 1 (-1). Councillors: LAB 300 (+20), ..."
    // Valid until the next call.
    std::string_view headline() const;

private:
    void write_votes(JsonWriter& out) const;  // the vote share, by the top-candidate convention
    struct PartyTotals {
        std::int64_t councillors = 0;  // elected tonight
        std::int64_t won_vs_last = 0;  // elected tonight in wards with a baseline
        std::int64_t last = 0;         // baseline seats of those wards
        std::int64_t votes = 0;
        int councils = 0;         // councils with known control now controlled
        int councils_before = 0;  // the same councils, controlled on the eve of poll
        int councils_unbased = 0; // of councils, those with no control before (unknown): no change
    };
    // Parties in display order, kept sorted as the numbers change: when one
    // party's number moves, it moves a place or two (a full sort of a hundred
    // parties per event was a tenth of the cost of applying a declaration).
    // Ties go to the lower party code, so the order is total and the same as
    // sorting from scratch.
    struct Ranking {
        std::vector<int> order;  // every party, best first
        std::vector<int> at;     // each party's index in order
    };
    template <class Key>
    void reposition(Ranking& r, int p, Key key);
    const std::vector<int>& councillor_order() const { return councillor_rank_.order; }
    std::vector<int> council_order() const;  // parties then NOC last
    const std::vector<int>& vote_order() const { return vote_rank_.order; }
    std::string_view councillor_member(int p) const;

    const Card& card_;
    std::vector<PartyTotals> parties_;  // by party position, then one for NOC
    Ranking councillor_rank_, council_rank_, vote_rank_;
    // "CODE":{"count":N,"change":M} per party, rewritten only when its numbers change.
    mutable std::vector<std::string> councillor_json_;
    mutable std::vector<char> councillor_dirty_;
    std::vector<int> by_code_;       // party positions in code order
    std::vector<int> code_ordinal_;  // position of each party's code in sorted order: the tie-break
    // The councils table and its headline words change only when a council's
    // control or completion does: cached between those moments.
    std::uint64_t councils_version_ = 1;
    mutable std::uint64_t councils_cached_ = 0;
    mutable std::string councils_json_, councils_text_, headline_;
    void refresh_councils() const;
    mutable JsonWriter scratch_;  // renders the cached fragments
    std::int64_t votes_ = 0;
    int parties_with_votes_ = 0;  // parties whose votes are not zero
    std::int64_t electorate_ = 0;
    std::int64_t ballots_ = 0;
    int wards_declared_ = 0;
    int wards_total_ = 0;
    int councils_total_ = 0;  // councils holding their ordinary election tonight
    ContestTotals by_elections_, mayors_, pccs_;
    ContestTotals& contests(ContestKind kind) {
        return kind == ContestKind::by_election ? by_elections_ : kind == ContestKind::mayor ? mayors_ : pccs_;
    }
    // Coverage of the councillor change: seats with a last-fought baseline.
    std::int64_t seats_up_ = 0, with_baseline_up_ = 0;             // on the card
    std::int64_t declared_seats_ = 0, declared_with_baseline_ = 0;  // declared so far
    int councils_declared_ = 0;
    int councils_known_ = 0;
};

// Basis points (hundredths of a percent) of part in whole, rounded half up;
// whole 0 gives 0. Shares are integers so the JSON stays exact and readable.
std::int64_t basis_points(std::int64_t part, std::int64_t whole);

}  // namespace declared
