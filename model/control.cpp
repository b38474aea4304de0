#include "model/control.hpp"

#include "model/card.hpp"

namespace declared::control {

int majority(int size, int vacancies) {
    const int filled = size - vacancies;
    return (filled > 0 ? filled : 0) / 2 + 1;
}

std::string_view to_string(Status s) {
    switch (s) {
        case Status::undecided: return "undecided";
        case Status::secured: return "secured";
        case Status::noc_certain: return "noc_certain";
        case Status::unknown: break;
    }
    return "unknown";
}

Settlement settle(int size, int majority, int undeclared, std::span<const Holding> holdings,
                  bool absent_controlling) {
    Settlement s;
    if (size <= 0) return s;
    for (std::size_t i = 0; i < holdings.size(); ++i) {
        if (!holdings[i].can_control) continue;
        if (s.leader < 0 || holdings[i].total() > holdings[static_cast<std::size_t>(s.leader)].total())
            s.leader = static_cast<int>(i);
    }
    int best = s.leader < 0 ? -1 : holdings[static_cast<std::size_t>(s.leader)].total();
    if (best >= majority) {
        // More than half of the filled seats: only one party can have that.
        s.status = Status::secured;
        s.party = s.leader;
        return s;
    }
    if (absent_controlling && best < 0) best = 0;
    // Impossible for P when cont_P + won_P + U < M; NOC certain when that is
    // so for every party that can control (and when no party can control).
    s.status = (best < 0 || best + undeclared < majority) ? Status::noc_certain : Status::undecided;
    return s;
}

std::string_view to_string(Outcome o) {
    switch (o) {
        case Outcome::hold: return "hold";
        case Outcome::gain: return "gain";
        case Outcome::lose_to_noc: return "lose_to_noc";
        case Outcome::noc_no_change: return "noc_no_change";
        case Outcome::new_council: return "new_council";
        case Outcome::unknown_before: break;
    }
    return "unknown_before";
}

Outcome outcome(std::string_view before, std::string_view after, bool new_council) {
    if (new_council) return Outcome::new_council;
    if (before.empty()) return Outcome::unknown_before;
    const bool noc_before = before == kNoc;
    const bool noc_after = after == kNoc;
    if (noc_before && noc_after) return Outcome::noc_no_change;
    if (noc_after) return Outcome::lose_to_noc;
    if (before == after) return Outcome::hold;
    return Outcome::gain;
}

std::string outcome_words(std::string_view before, std::string_view after, bool new_council) {
    return outcome_words(outcome(before, after, new_council), before, after);
}

std::string outcome_words(Outcome o, std::string_view before, std::string_view after) {
    std::string out;
    switch (o) {
        case Outcome::hold:
            out.append(after).append(" HOLD");
            break;
        case Outcome::gain:
            out.append(after).append(" GAIN from ").append(before);
            break;
        case Outcome::lose_to_noc:
            out.append(before).append(" LOSE to NOC");
            break;
        case Outcome::noc_no_change:
            out = "NOC no change";
            break;
        case Outcome::unknown_before:
            out.append(after);
            if (after != kNoc) out.append(" control");  // NOC alone: "NOC"
            break;
        case Outcome::new_council:
            out.append(after).append(after == kNoc ? " (new council)" : " WIN (new council)");
            break;
    }
    return out;
}

}  // namespace declared::control
