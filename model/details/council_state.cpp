#include "model/details/council_state.hpp"

#include <algorithm>

#include "model/card_check.hpp"
#include "model/details/event_writer.hpp"

namespace declared {

namespace {
int party_position(const Card& card, std::string_view code) {
    const Party* p = card.party(code);
    return p ? static_cast<int>(p - card.parties.data()) : -1;
}
}  // namespace

CouncilState::CouncilState(const Card& card, const Council& council, int controlling_on_card)
    : card_(&card), council_(&council), wards_(council.wards.size()), mayors_(council.mayors.size()),
      controlling_on_card_(controlling_on_card) {
    for (const auto& w : council.wards) {
        if (w.postponed) {
            postponed_seats_ += w.seats;
        } else {
            ++(w.by_election ? by_total_ : wards_total_);
            seats_total_ += w.seats;
            if (!w.last_won.empty()) with_baseline_up_ += w.seats;
        }
    }
    vacancies_ = council.continuing_vacancies + postponed_seats_;
    if (council.size > 0) majority_ = control::majority(council.size, vacancies_);
    for (const auto& [code, n] : council.continuing) {
        int p = party_position(card, code);
        if (p >= 0) holdings_[line(p)].continuing += n;
    }
    for (const auto& [code, n] : council.composition) {
        int p = party_position(card, code);
        if (p >= 0) lines_[line(p)].eve += n;
    }
    // A card built in code may still hold an alias, or leave control before
    // to be derived: the events must show the code either way.
    control_before_ = council.control_before.empty() ? derive_control_before(card, council) : council.control_before;
    if (const Party* p = card.party(control_before_)) control_before_ = p->code;
    if (council.new_council) control_before_.clear();  // nobody controlled it before
    JsonWriter w;
    w.field("council", council.id);
    w.field("name", council.name);
    w.field("region", council.region);
    w.field("size", council.size);
    head_ = w.str();
}

std::size_t CouncilState::line(int party) {
    for (std::size_t i = 0; i < lines_.size(); ++i)
        if (lines_[i].party == party) return i;
    control::Holding h;
    h.can_control = card_->parties[static_cast<std::size_t>(party)].can_control;
    if (h.can_control) ++controlling_here_;
    holdings_.push_back(h);
    lines_.push_back(PartyLine{party, 0, 0, 0});
    return lines_.size() - 1;
}

void CouncilState::add_ward(const WardContribution& w, const Ward& ward, int sign, bool declared) {
    for (int p : w.winners) holdings_[line(p)].won += sign;
    if (!w.baseline.empty()) {
        for (int p : w.winners) lines_[line(p)].won_vs_last += sign;
        for (int p : w.baseline) lines_[line(p)].last += sign;
    }
    const int filled = static_cast<int>(w.winners.size());
    declared_filled_ += sign * filled;
    if (!w.baseline.empty()) declared_with_baseline_ += sign * filled;
    // Seats an under-contested ward left unfilled are vacancies for the majority.
    const int vacant = ward.seats - static_cast<int>(w.winners.size());
    if (vacant != 0) {
        vacancies_ += sign * vacant;
        if (council_->size > 0) majority_ = control::majority(council_->size, vacancies_);
    }
    if (declared) {
        (ward.by_election ? by_declared_ : wards_declared_) += sign;
        seats_declared_ += sign * ward.seats;
    }
}

control::Settlement CouncilState::settle() const {
    return control::settle(council_->size, majority_, undeclared(), holdings_,
                           controlling_here_ < controlling_on_card_);
}

std::string CouncilState::control_of(const control::Settlement& s) const {
    switch (s.status) {
        case control::Status::secured:
            return card_->parties[static_cast<std::size_t>(lines_[static_cast<std::size_t>(s.party)].party)].code;
        case control::Status::noc_certain: return std::string(kNoc);
        default: return {};
    }
}

const std::vector<std::size_t>& CouncilState::composition_order() const {
    std::vector<std::size_t>& order = order_;
    order.clear();
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        if (holdings_[i].total() != 0 || lines_[i].eve != 0 || lines_[i].won_vs_last != lines_[i].last)
            order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (holdings_[a].total() != holdings_[b].total()) return holdings_[a].total() > holdings_[b].total();
        if (lines_[a].eve != lines_[b].eve) return lines_[a].eve > lines_[b].eve;
        return card_->parties[static_cast<std::size_t>(lines_[a].party)].code <
               card_->parties[static_cast<std::size_t>(lines_[b].party)].code;
    });
    return order;
}

void CouncilState::write_arithmetic(JsonWriter& out, const control::Settlement& s) const {
    const Council& c = *council_;
    out.field("size", c.size);
    out.field("vacancies", vacancies_);
    out.key("majority");
    if (majority_ > 0)
        out.value(majority_);
    else
        out.null();
    out.field("undeclared", undeclared());
    if (s.party >= 0) {
        const auto i = static_cast<std::size_t>(s.party);
        out.field("party", card_->parties[static_cast<std::size_t>(lines_[i].party)].code);
        out.field("continuing", holdings_[i].continuing);
        out.field("won", holdings_[i].won);
    }
    out.key("parties").begin_array();
    for (std::size_t i : composition_order()) {
        const auto& h = holdings_[i];
        out.begin_object();
        out.field("party", card_->parties[static_cast<std::size_t>(lines_[i].party)].code);
        out.field("continuing", h.continuing);
        out.field("won", h.won);
        out.field("seats", h.total());
        out.field("max_possible", h.total() + undeclared());
        out.field("can_control", h.can_control);
        out.end_object();
    }
    out.end_array();
    out.field("proof", proof(s));
}

std::string CouncilState::proof(const control::Settlement& s) const {
    const std::string m = std::to_string(majority_);
    const std::string u = std::to_string(undeclared());
    auto party = [&](int i) -> const std::string& {
        return card_->parties[static_cast<std::size_t>(lines_[static_cast<std::size_t>(i)].party)].code;
    };
    switch (s.status) {
        case control::Status::secured: {
            const auto& h = holdings_[static_cast<std::size_t>(s.party)];
            return party(s.party) + " " + std::to_string(h.continuing) + " continuing + " + std::to_string(h.won) +
                   " won = " + std::to_string(h.total()) + " >= " + m + " needed, " + u + " seats to declare";
        }
        case control::Status::noc_certain: {
            if (s.leader < 0 && controlling_on_card_ == 0) return "no party on the card can hold control";
            if (s.leader < 0) return "no party 0 + " + u + " to declare = " + u + " < " + m + " needed";
            const auto& h = holdings_[static_cast<std::size_t>(s.leader)];
            return "best " + party(s.leader) + " " + std::to_string(h.continuing) + " continuing + " +
                   std::to_string(h.won) + " won + " + u + " to declare = " + std::to_string(h.total() + undeclared()) +
                   " < " + m + " needed";
        }
        case control::Status::undecided: return "undecided: " + u + " seats to declare, " + m + " needed";
        case control::Status::unknown: break;
    }
    return "council size unknown: no control arithmetic";
}

void CouncilState::write(JsonWriter& out, const EventWriter& ids) const {
    out.member(head_);
    // Vacancies (and so the majority) move when a ward leaves seats unfilled.
    out.key("majority");
    if (majority_ > 0)
        out.value(majority_);
    else
        out.null();
    out.field("vacancies", vacancies_);
    out.field("continuing_vacancies", council_->continuing_vacancies);
    out.field("postponed_seats", postponed_seats_);
    out.field("wards_declared", wards_declared_);
    out.field("wards_total", wards_total_);
    out.field("by_elections_declared", by_declared_);
    out.field("by_elections_total", by_total_);
    out.field("seats_declared", seats_declared_);
    out.field("seats_total", seats_total_);
    out.field("undeclared", undeclared());
    out.field("complete", complete());

    write_composition(out);

    out.key("change_coverage").begin_object();
    out.field("declared_seats", declared_filled_);
    out.field("declared_with_baseline", declared_with_baseline_);
    out.field("seats_up", seats_total_);
    out.field("with_baseline", with_baseline_up_);
    out.end_object();

    write_control(out, ids);
}

// Each party's seats, in composition order, with what it held on the eve of poll.
void CouncilState::write_composition(JsonWriter& out) const {
    out.key("composition").begin_array();
    for (std::size_t i : composition_order()) {
        const auto& h = holdings_[i];
        const auto& l = lines_[i];
        out.begin_object();
        out.field("party", card_->parties[static_cast<std::size_t>(l.party)].code);
        out.field("seats", h.total());
        out.field("continuing", h.continuing);
        out.field("won", h.won);
        out.field("eve_of_poll", l.eve);
        out.field("net_vs_last", l.won_vs_last - l.last);
        out.end_object();
    }
    out.end_array();
}

// The published control and its call.
void CouncilState::write_control(JsonWriter& out, const EventWriter& ids) const {
    // Readers see what is published: the standing call, not an arithmetic
    // call the desk has not released.
    out.field("status", published_status());
    const std::string control = call_ ? call_->control : std::string();
    out.key("control").string_or_null(control);
    out.key("control_before").string_or_null(control_before_);
    out.field("new_council", council_->new_council);
    if (control.empty()) {
        out.key("outcome").null();
        out.key("outcome_kind").null();
    } else {
        out.field("outcome", outcome_words(control));
        out.field("outcome_kind", control::to_string(outcome(control)));
    }
    out.key("call");
    if (call_) {
        out.begin_object();
        out.key("id");
        ids.write_id(out, call_->seq);
        out.field("seq", call_->seq);
        out.end_object();
    } else {
        out.null();
    
}
}

std::string CouncilState::outcome_words(std::string_view control) const {
    return control::outcome_words(control_before_, control, council_->new_council);
}

std::string CouncilState::outcome_text(std::string_view control) const {
    return control::outcome_words(outcome(control), card_->display(control_before_), card_->display(control));
}

control::Outcome CouncilState::outcome(std::string_view control) const {
    return control::outcome(control_before_, control, council_->new_council);
}

std::string_view CouncilState::published_status() const {
    if (council_->size <= 0) return control::to_string(control::Status::unknown);
    if (!call_) return control::to_string(control::Status::undecided);
    if (complete()) return "final";
    return control::to_string(call_->status);
}

std::string_view CouncilState::status_name(const control::Settlement& s) const {
    if (complete() && s.status != control::Status::unknown) return "final";
    return control::to_string(s.status);
}

}  // namespace declared
