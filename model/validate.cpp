#include "model/validate.hpp"

#include "model/utc_time.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace declared {

namespace {

std::string cand_path(std::size_t i, std::string_view field) {
    return "candidates[" + std::to_string(i) + "]." + std::string(field);
}

std::string quoted(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

std::string names(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& n : v) out += (out.empty() ? "" : ", ") + quoted(n);
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// Elected candidates must out-poll unelected ones; equal votes across that line
// are a tie, which only lots (recorded in the declaration) can decide. Every
// candidate on the boundary's vote count was in the draw, and the lots name
// exactly those of them who were elected.
std::optional<Error> check_vote_order(const Declaration& d) {
    std::int64_t min_elected = std::numeric_limits<std::int64_t>::max();
    std::int64_t max_unelected = -1;
    std::size_t low_i = 0, high_i = 0;
    for (std::size_t i = 0; i < d.candidates.size(); ++i) {
        const auto& c = d.candidates[i];
        if (c.elected && *c.votes < min_elected) min_elected = *c.votes, low_i = i;
        if (!c.elected && *c.votes > max_unelected) max_unelected = *c.votes, high_i = i;
    }
    if (max_unelected < 0 || min_elected > max_unelected) return std::nullopt;
    const auto& low = d.candidates[low_i];
    const auto& high = d.candidates[high_i];
    if (min_elected < max_unelected)
        return Error{"elected_below_unelected", cand_path(low_i, "elected"),
                     "elected candidates to have at least as many votes as every unelected one",
                     quoted(low.name) + " elected with " + std::to_string(min_elected) + " votes, " + quoted(high.name) +
                         " not elected with " + std::to_string(max_unelected)};
    if (!d.lots)
        return Error{"tie_without_lots", "lots",
                     "lots recording the tie between " + quoted(low.name) + " and " + quoted(high.name) + " (" +
                         std::to_string(min_elected) + " votes each)",
                     "no lots"};
    std::vector<std::string> tied, tied_elected;
    for (const auto& c : d.candidates) {
        if (*c.votes != min_elected) continue;
        tied.push_back(c.name);
        if (c.elected) tied_elected.push_back(c.name);
    }
    for (const auto& n : tied)
        if (!contains(d.lots->between, n))
            return Error{"tie_without_lots", "lots.between",
                         "every candidate tied at the boundary with " + std::to_string(min_elected) +
                             " votes: " + names(tied),
                         names(d.lots->between)};
    const bool same = d.lots->winners.size() == tied_elected.size() &&
                      std::all_of(tied_elected.begin(), tied_elected.end(),
                                  [&](const std::string& n) { return contains(d.lots->winners, n); });
    if (!same)
        return Error{"bad_lots", d.lots->winners.size() == 1 ? "lots.winner" : "lots.winners",
                     "the tied candidates elected: " + names(tied_elected), names(d.lots->winners)};
    return std::nullopt;
}

std::optional<Error> check_lots(const Declaration& d) {
    const Lots& lots = *d.lots;
    if (lots.between.size() < 2)
        return Error{"bad_lots", "lots.between", "at least two tied candidates",
                     std::to_string(lots.between.size()) + " named"};
    std::optional<std::int64_t> votes;
    for (std::size_t i = 0; i < lots.between.size(); ++i) {
        auto it = std::find_if(d.candidates.begin(), d.candidates.end(),
                               [&](const Candidate& c) { return c.name == lots.between[i]; });
        std::string path = "lots.between[" + std::to_string(i) + "]";
        if (it == d.candidates.end())
            return Error{"unknown_candidate", path, "the name of a candidate in this declaration", quoted(lots.between[i])};
        if (votes && it->votes != votes)
            return Error{"bad_lots", path, "candidates with equal votes",
                         quoted(it->name) + " with " + (it->votes ? std::to_string(*it->votes) : "no") + " votes"};
        votes = it->votes;
    }
    const std::string path = lots.winners.size() == 1 ? "lots.winner" : "lots.winners";
    for (const auto& winner : lots.winners) {
        if (!contains(lots.between, winner))
            return Error{"bad_lots", path, "one of the candidates lots were drawn between", quoted(winner)};
        auto w = std::find_if(d.candidates.begin(), d.candidates.end(),
                              [&](const Candidate& c) { return c.name == winner; });
        if (!w->elected)
            return Error{"bad_lots", path, "the winner of the lot to be marked elected", quoted(winner) + " not elected"};
    }
    if (lots.winners.size() >= lots.between.size())
        return Error{"bad_lots", path, "fewer winners than candidates in the draw", names(lots.winners)};
    return std::nullopt;
}

// Counts that cannot be: more ballots than electors, more rejected than
// ballots, more votes than valid ballots allow (each voter has one vote per seat).
std::optional<Error> check_figures(const Declaration& d, int seats) {
    if (d.electorate && d.ballots && *d.ballots > *d.electorate)
        return Error{"impossible_figures", "ballots", "at most the electorate (" + std::to_string(*d.electorate) + ")",
                     std::to_string(*d.ballots)};
    if (d.ballots && d.rejected && *d.rejected > *d.ballots)
        return Error{"impossible_figures", "rejected", "at most the ballots counted (" + std::to_string(*d.ballots) + ")",
                     std::to_string(*d.rejected)};
    if (d.ballots && !d.uncontested()) {
        const std::int64_t valid = *d.ballots - d.rejected.value_or(0);
        std::int64_t total = 0;
        for (const auto& c : d.candidates) total += c.votes.value_or(0);
        if (total > valid * seats)
            return Error{"impossible_figures", "candidates",
                         "at most valid ballots x seats (" + std::to_string(valid) + " x " + std::to_string(seats) +
                             " = " + std::to_string(valid * seats) + ") votes in all",
                         std::to_string(total)};
    }
    return std::nullopt;
}

std::optional<Error> check_time(const Card& card, const Declaration& d) {
    if (!is_utc_time(d.declared_at))
        return Error{"bad_time", "declared_at", "an ISO 8601 UTC time, e.g. 2022-05-06T01:30:00Z", quoted(d.declared_at)};
    const std::string& day = card.election.date;
    if (!day.empty() && std::string_view(d.declared_at).substr(0, 10) < std::string_view(day))
        return Error{"before_polling_day", "declared_at", "a time on or after polling day, " + day, quoted(d.declared_at)};
    return std::nullopt;
}

// The contest the declaration is for: its seats, or why it cannot be declared.
std::optional<Error> contest_seats(const Card& card, const Council& council, const Declaration& d, int& seats) {
    if (const Ward* ward = card.ward(council, d.ward)) {
        if (ward->postponed)
            return Error{"postponed_poll", "ward", "a ward polled tonight",
                         quoted(d.ward) + ": the " + ward->name + " poll is postponed"};
        seats = ward->seats;
        return std::nullopt;
    }
    if (card.mayor(council, d.ward)) {
        seats = 1;
        return std::nullopt;
    }
    return Error{"unknown_ward", "ward", "a ward (or mayoral contest) of " + council.name, quoted(d.ward)};
}

// Each candidate once, under a party on the card (aliases resolved to the
// code in place); votes for all or for none. Counts those with votes and
// those elected.
std::optional<Error> check_candidates(const Card& card, Declaration& d, std::size_t& with_votes, int& elected) {
    for (std::size_t i = 0; i < d.candidates.size(); ++i) {
        Candidate& c = d.candidates[i];
        const Party* party = card.party(c.party);
        if (!party) return Error{"unknown_party", cand_path(i, "party"), "a party code or alias on the card", quoted(c.party)};
        c.party = party->code;
        // A ward has a handful of candidates: comparing with the earlier ones
        // is cheaper than hashing them into a set (and the parser allows at most 100).
        const auto earlier = d.candidates.begin() + static_cast<std::ptrdiff_t>(i);
        if (std::find_if(d.candidates.begin(), earlier, [&](const Candidate& o) { return o.name == c.name; }) != earlier)
            return Error{"duplicate_candidate", cand_path(i, "name"), "each candidate once", quoted(c.name) + " again"};
        with_votes += c.votes.has_value();
        elected += c.elected;
    }
    if (with_votes != 0 && with_votes != d.candidates.size()) {
        std::size_t i = 0;
        while (d.candidates[i].votes.has_value()) ++i;
        return Error{"mixed_votes", cand_path(i, "votes"),
                     "votes for every candidate, or for none when returned unopposed", "no votes for this one"};
    }
    return std::nullopt;
}

// As many elected as seats, or every candidate when fewer stand
// (under-contested: the other seats stay vacant); votes in a contested poll.
std::optional<Error> check_elected(const Declaration& d, int seats, std::size_t with_votes, int elected) {
    const int standing = static_cast<int>(d.candidates.size());
    if (standing < seats && elected != standing)
        return Error{"elected_count", "candidates",
                     std::to_string(standing) + " elected (every candidate: fewer candidates than the " +
                         std::to_string(seats) + " seats up)",
                     std::to_string(elected) + " elected"};
    if (standing >= seats && elected != seats)
        return Error{"elected_count", "candidates",
                     std::to_string(seats) + " elected (seats up in this contest)", std::to_string(elected) + " elected"};
    if (with_votes == 0 && standing > seats)
        return Error{"missing_votes", "candidates", "votes for every candidate (a contested poll)",
                     std::to_string(d.candidates.size()) + " candidates for " + std::to_string(seats) +
                         " seats and no votes"};
    return std::nullopt;
}

}  // namespace

std::optional<Error> validate(const Card& card, Declaration& d) {
    const Council* council = card.council(d.council);
    if (!council) return Error{"unknown_council", "council", "a council id on the card", quoted(d.council)};
    if (auto e = check_time(card, d)) return e;
    int seats = 0;
    if (auto e = contest_seats(card, *council, d, seats)) return e;
    std::size_t with_votes = 0;
    int elected = 0;
    if (auto e = check_candidates(card, d, with_votes, elected)) return e;
    if (auto e = check_elected(d, seats, with_votes, elected)) return e;
    if (auto e = check_figures(d, seats)) return e;
    if (d.lots)
        if (auto e = check_lots(d)) return e;
    if (with_votes != 0)
        if (auto e = check_vote_order(d)) return e;
    return std::nullopt;
}

}  // namespace declared
