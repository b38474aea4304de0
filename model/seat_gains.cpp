#include "model/seat_gains.hpp"

#include <algorithm>

namespace declared {

std::string_view to_string(SeatResult::Kind k) {
    switch (k) {
        case SeatResult::Kind::hold: return "hold";
        case SeatResult::Kind::gain: return "gain";
        case SeatResult::Kind::elected: break;
    }
    return "elected";
}

std::vector<SeatResult> seat_results(std::span<const std::string> winners,
                                     std::span<const std::string> last_won) {
    std::vector<SeatResult> out;
    out.reserve(winners.size());
    if (last_won.empty()) {
        for (const auto& w : winners) out.push_back({w, SeatResult::Kind::elected, {}});
        return out;
    }
    // Wards have one to a handful of seats: quadratic matching is the fast way.
    // matched[j]: baseline seat j is held by a winner of its own party.
    std::vector<char> matched(last_won.size(), 0);
    std::vector<char> holds(winners.size(), 0);
    for (std::size_t i = 0; i < winners.size(); ++i) {
        for (std::size_t j = 0; j < last_won.size(); ++j) {
            if (!matched[j] && last_won[j] == winners[i]) {
                matched[j] = 1;
                holds[i] = 1;
                break;
            }
        }
    }
    std::size_t next_loser = 0;
    for (std::size_t i = 0; i < winners.size(); ++i) {
        if (holds[i]) {
            out.push_back({winners[i], SeatResult::Kind::hold, {}});
            continue;
        }
        while (next_loser < last_won.size() && matched[next_loser]) ++next_loser;
        if (next_loser < last_won.size()) {
            out.push_back({winners[i], SeatResult::Kind::gain, last_won[next_loser]});
            ++next_loser;
        } else {
            // More winners than baseline seats (an inconsistent card): no word.
            out.push_back({winners[i], SeatResult::Kind::elected, {}});
        }
    }
    return out;
}

std::string seat_words(std::span<const SeatResult> seats, const PartyName& name) {
    auto named = [&](std::string_view code) { return name ? name(code) : code; };
    std::vector<std::pair<const SeatResult*, int>> groups;
    for (const auto& s : seats) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return *g.first == s; });
        if (it == groups.end())
            groups.emplace_back(&s, 1);
        else
            ++it->second;
    }
    std::string out;
    for (const auto& [s, n] : groups) {
        if (!out.empty()) out += ", ";
        out.append(named(s->party));
        switch (s->kind) {
            case SeatResult::Kind::hold: out += " HOLD"; break;
            case SeatResult::Kind::gain: out.append(" GAIN from ").append(named(s->from)); break;
            case SeatResult::Kind::elected: out += " elected"; break;
        }
        if (n > 1) out.append(" x").append(std::to_string(n));
    }
    return out;
}

}  // namespace declared
