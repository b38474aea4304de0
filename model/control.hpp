#pragma once
// Control arithmetic for one council, with no state and no I/O: the majority
// threshold, whether control is settled (secured by a party, or no overall
// control certain), and the outcome words against eve-of-poll control. The
// rules are those of shared/domain.md; docs/formats.md ("Events") shows them
// in the events.
#include <span>
#include <string>
#include <string_view>

namespace declared::control {

// Majority threshold: more than half of the filled seats.
// M = floor((size - vacancies) / 2) + 1. Exactly half is not control.
int majority(int size, int vacancies);

enum class Status {
    unknown,      // council size unknown: no control arithmetic
    undecided,    // someone could still reach M, nobody has
    secured,      // one party has at least M seats (continuing + won tonight)
    noc_certain,  // no party can reach M even winning every undeclared seat
};

std::string_view to_string(Status s);

// One party's seats on one council, for the arithmetic.
struct Holding {
    int continuing = 0;        // not up tonight
    int won = 0;               // won tonight so far
    bool can_control = true;   // false for independents and "others" buckets
    int total() const { return continuing + won; }
};

struct Settlement {
    Status status = Status::unknown;
    int party = -1;  // for secured: position in the holdings span
    int leader = -1; // position of the controlling party with most seats (-1: none)
};

// size: council size (0 = unknown); majority: threshold M; undeclared: seats
// still to declare tonight (U, postponed seats excluded). holdings lists the
// parties with seats on the council; absent_controlling says whether some
// party that could control has no seat on it yet (it could still win every
// undeclared seat; it matters only when the list holds no controlling party).
Settlement settle(int size, int majority, int undeclared, std::span<const Holding> holdings,
                  bool absent_controlling);

enum class Outcome {
    hold,           // same party before and after
    gain,           // a party gains control (from another party or from NOC)
    lose_to_noc,    // a party had control, nobody has it now
    noc_no_change,  // NOC before and after
    unknown_before, // control before the election is not known
    new_council,    // the council's first election: nobody had control before
};

std::string_view to_string(Outcome o);  // "hold", "gain", "lose_to_noc", ...

// before, after: party code or "NOC"; before may be empty (unknown).
// new_council: the council's first election (before is then ignored).
Outcome outcome(std::string_view before, std::string_view after, bool new_council = false);

// House style: "LAB HOLD", "LAB GAIN from CON", "LAB GAIN from NOC",
// "CON LOSE to NOC", "NOC no change"; unknown before: "LAB control" or "NOC";
// a new council: "LAB WIN (new council)" or "NOC (new council)".
std::string outcome_words(std::string_view before, std::string_view after, bool new_council = false);
// The same words for an outcome already judged, with the parties named as
// given (alert text names local parties by their labels).
std::string outcome_words(Outcome o, std::string_view before, std::string_view after);

}  // namespace declared::control
