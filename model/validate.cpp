#include "model/validate.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace declared {

namespace {

std::string cand_path(std::size_t i, std::string_view field) {
    return "candidates[" + std::to_string(i) + "]." + std::string(field);
}

std::string quoted(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

// Elected candidates must out-poll unelected ones; equal votes across that line
// are a tie, which only lots (recorded in the declaration) can decide.
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
    auto in_lots = [&](const std::string& n) {
        return d.lots && std::find(d.lots->between.begin(), d.lots->between.end(), n) != d.lots->between.end();
    };
    if (!d.lots || !in_lots(low.name) || !in_lots(high.name))
        return Error{"tie_without_lots", "lots",
                     "lots recording the tie between " + quoted(low.name) + " and " + quoted(high.name) + " (" +
                         std::to_string(min_elected) + " votes each)",
                     d.lots ? "lots between other candidates" : "no lots"};
    return std::nullopt;
}

std::optional<Error> check_lots(const Declaration& d) {
    const Lots& lots = *d.lots;
    if (lots.between.size() < 2)
        return Error{"bad_lots", "lots.between", "at least two tied candidates",
                     std::to_string(lots.between.size()) + " named"};
    std::optional<std::int64_t> votes;
    bool winner_listed = false;
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
        winner_listed |= lots.between[i] == lots.winner;
    }
    if (!winner_listed)
        return Error{"bad_lots", "lots.winner", "one of the candidates lots were drawn between", quoted(lots.winner)};
    auto w = std::find_if(d.candidates.begin(), d.candidates.end(),
                          [&](const Candidate& c) { return c.name == lots.winner; });
    if (!w->elected)
        return Error{"bad_lots", "lots.winner", "the winner of the lot to be marked elected",
                     quoted(lots.winner) + " not elected"};
    return std::nullopt;
}

}  // namespace

std::optional<Error> validate(const Card& card, Declaration& d) {
    const Council* council = card.council(d.council);
    if (!council) return Error{"unknown_council", "council", "a council id on the card", quoted(d.council)};

    int seats = 0;
    if (const Ward* ward = card.ward(*council, d.ward)) {
        if (ward->postponed)
            return Error{"postponed_poll", "ward", "a ward polled tonight",
                         quoted(d.ward) + ": the " + ward->name + " poll is postponed"};
        seats = ward->seats;
    } else if (card.mayor(*council, d.ward)) {
        seats = 1;
    } else {
        return Error{"unknown_ward", "ward", "a ward (or mayoral contest) of " + council->name, quoted(d.ward)};
    }

    std::size_t with_votes = 0;
    int elected = 0;
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
    if (elected != seats)
        return Error{"elected_count", "candidates",
                     std::to_string(seats) + " elected (seats up in this contest)", std::to_string(elected) + " elected"};
    if (with_votes == 0 && static_cast<int>(d.candidates.size()) != seats)
        return Error{"missing_votes", "candidates", "votes for every candidate (a contested poll)",
                     std::to_string(d.candidates.size()) + " candidates for " + std::to_string(seats) +
                         " seats and no votes"};
    if (d.lots) {
        if (auto e = check_lots(d)) return e;
    }
    if (with_votes != 0) {
        if (auto e = check_vote_order(d)) return e;
    }
    return std::nullopt;
}

}  // namespace declared
