#pragma once
// One council's running state on the night: the results held for its wards
// and mayoral contests, seats by party (continuing + won tonight), progress,
// and the control call currently standing. Changed only by Tally.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/card.hpp"
#include "model/control.hpp"
#include "model/declaration.hpp"
#include "model/desk_state.hpp"
#include "model/json_writer.hpp"
#include "model/details/scoreboard.hpp"

namespace declared {

class EventWriter;

// A result as held: the declaration (party codes resolved), its winners in
// report order, what it added to the totals, and the event that published it.
struct HeldResult {
    Declaration declaration;
    std::vector<std::string> winners;  // party code of each elected candidate
    WardContribution contribution;     // party positions; national totals
    std::uint64_t seq = 0;             // ward_declared or declaration_corrected event
};

// The control call standing for a council.
struct Call {
    control::Status status = control::Status::unknown;  // secured or noc_certain
    std::string control;   // party code or "NOC"
    std::string outcome;   // "LAB GAIN from CON"
    std::string text;      // the same with parties by their labels
    std::uint64_t seq = 0; // the control_called event
    CalledBy called_by;    // the arithmetic's, approved or not, or the desk's
};

class CouncilState {
public:
    CouncilState(const Card& card, const Council& council, int controlling_on_card);

    const Council& council() const { return *council_; }
    int majority() const { return majority_; }
    int vacancies() const { return vacancies_; }
    int undeclared() const { return seats_total_ - seats_declared_; }
    // Every contest that polls tonight has declared: wards and by-elections.
    bool complete() const { return wards_declared_ == wards_total_ && by_declared_ == by_total_; }
    const std::string& control_before() const { return control_before_; }
    int wards_declared() const { return wards_declared_; }
    int wards_total() const { return wards_total_; }
    int seats_declared() const { return seats_declared_; }
    int seats_total() const { return seats_total_; }
    int by_elections_declared() const { return by_declared_; }
    int by_elections_total() const { return by_total_; }

    std::optional<HeldResult>& ward(std::size_t i) { return wards_[i]; }
    const std::optional<HeldResult>& ward(std::size_t i) const { return wards_[i]; }
    std::optional<HeldResult>& mayor(std::size_t i) { return mayors_[i]; }
    const std::optional<HeldResult>& mayor(std::size_t i) const { return mayors_[i]; }

    // Adds (+1) or removes (-1) a ward result's seats; declared says whether
    // the ward counts as declared (a correction removes and re-adds without
    // changing progress). A by-election counts in its own progress.
    void add_ward(const WardContribution& w, const Ward& ward, int sign, bool declared);

    control::Settlement settle() const;
    // Party code, "NOC", or "" (undecided or unknown) for a settlement.
    std::string control_of(const control::Settlement& s) const;
    // Outcome against control before (or "LAB WIN (new council)"), for a
    // control that is settled.
    std::string outcome_words(std::string_view control) const;
    // The same words for alert text: parties by their labels.
    std::string outcome_text(std::string_view control) const;
    control::Outcome outcome(std::string_view control) const;
    // "unknown", "undecided", "secured", "noc_certain", or "final" once complete.
    std::string_view status_name(const control::Settlement& s) const;
    // The same for what is published: the standing call's status (the
    // arithmetic's, or a desk call's), "undecided" while the desk holds an
    // arithmetic call back (approve, hold, embargo). With no desk at work the
    // call follows the arithmetic, so this equals status_name(settle()).
    std::string_view published_status() const;

    std::optional<Call>& call() { return call_; }
    const std::optional<Call>& call() const { return call_; }

    // Fields of council_updated (and the head of council_json), into an open object.
    void write(JsonWriter& out, const EventWriter& ids) const;
    // The arithmetic behind a settlement, into an open object: M, U,
    // vacancies, each party's seats, and the proof in words.
    void write_arithmetic(JsonWriter& out, const control::Settlement& s) const;
    // "LAB 30 continuing + 6 won = 36 >= 34 needed, 4 seats to declare"
    std::string proof(const control::Settlement& s) const;
    // Seats held and net change against the baseline, by party, in display
    // order (for the wire copy; defined in model/wire_text.cpp).
    struct Standing {
        std::string_view party;
        int seats = 0;
        int net_vs_last = 0;
    };
    std::vector<Standing> standings() const;

private:
    void write_composition(JsonWriter& out) const;
    void write_control(JsonWriter& out, const EventWriter& ids) const;
    struct PartyLine {
        int party = 0;        // position in Card::parties
        int eve = 0;          // eve-of-poll seats
        int won_vs_last = 0;  // won tonight in wards with a baseline
        int last = 0;         // baseline seats in those wards
    };
    std::size_t line(int party);  // finds or adds the party's line
    // Lines to show, in display order; valid until the next call.
    const std::vector<std::size_t>& composition_order() const;

    const Card* card_;
    const Council* council_;
    std::vector<control::Holding> holdings_;  // parallel to lines_
    std::vector<PartyLine> lines_;
    std::vector<std::optional<HeldResult>> wards_;
    std::vector<std::optional<HeldResult>> mayors_;
    int vacancies_ = 0;     // continuing vacancies + postponed seats + seats left unfilled tonight
    int postponed_seats_ = 0;
    int majority_ = 0;      // 0 when size is unknown
    int wards_total_ = 0;   // ordinary wards with a poll tonight
    int seats_total_ = 0;   // their seats and the by-elections'
    int by_total_ = 0;      // by-elections
    int with_baseline_up_ = 0;  // seats up tonight with a last-fought baseline
    int declared_filled_ = 0, declared_with_baseline_ = 0;  // seats filled so far, and those with one
    int by_declared_ = 0;
    int wards_declared_ = 0;
    int seats_declared_ = 0;
    int controlling_on_card_ = 0;
    int controlling_here_ = 0;
    std::string control_before_;  // card's, or derived from composition
    std::string head_;  // write()'s first members, fixed for the night: rendered once
    std::optional<Call> call_;
    mutable std::vector<std::size_t> order_;  // composition_order()'s, reused
};

}  // namespace declared
