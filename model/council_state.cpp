#include "model/council_state.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "model/event_writer.hpp"

namespace declared {

namespace json = boost::json;

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
            ++wards_total_;
            seats_total_ += w.seats;
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
    control_before_ = council.control_before;
    if (control_before_.empty() && council.size > 0 && !council.composition.empty()) {
        // Derived by the majority rule from the eve-of-poll composition.
        const int m = control::majority(council.size, council.vacancies_before);
        control_before_ = std::string(kNoc);
        for (const auto& [code, n] : council.composition) {
            const Party* p = card.party(code);
            if (p && p->can_control && n >= m) control_before_ = p->code;
        }
    }
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

void CouncilState::add_ward(const WardContribution& w, int seats, int sign, bool declared) {
    for (int p : w.winners) holdings_[line(p)].won += sign;
    if (!w.baseline.empty()) {
        for (int p : w.winners) lines_[line(p)].won_vs_last += sign;
        for (int p : w.baseline) lines_[line(p)].last += sign;
    }
    if (declared) {
        wards_declared_ += sign;
        seats_declared_ += sign * seats;
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

std::vector<std::size_t> CouncilState::composition_order() const {
    std::vector<std::size_t> order;
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

void CouncilState::write_arithmetic(json::object& out, const control::Settlement& s) const {
    const Council& c = *council_;
    out.emplace("size", c.size);
    out.emplace("vacancies", vacancies_);
    out.emplace("majority", majority_ > 0 ? json::value(majority_) : json::value(nullptr));
    out.emplace("undeclared", undeclared());
    if (s.party >= 0) {
        const auto i = static_cast<std::size_t>(s.party);
        out.emplace("party", card_->parties[static_cast<std::size_t>(lines_[i].party)].code);
        out.emplace("continuing", holdings_[i].continuing);
        out.emplace("won", holdings_[i].won);
    }
    json::array parties(out.storage());
    for (std::size_t i : composition_order()) {
        const auto& h = holdings_[i];
        json::object o(out.storage());
        o.emplace("party", card_->parties[static_cast<std::size_t>(lines_[i].party)].code);
        o.emplace("continuing", h.continuing);
        o.emplace("won", h.won);
        o.emplace("seats", h.total());
        o.emplace("max_possible", h.total() + undeclared());
        o.emplace("can_control", h.can_control);
        parties.emplace_back(std::move(o));
    }
    out.emplace("parties", std::move(parties));
    out.emplace("proof", proof(s));
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

void CouncilState::write(json::object& out, const EventWriter& ids) const {
    const Council& c = *council_;
    const auto s = settle();
    out.emplace("council", c.id);
    out.emplace("name", c.name);
    out.emplace("region", c.region);
    out.emplace("size", c.size);
    out.emplace("majority", majority_ > 0 ? json::value(majority_) : json::value(nullptr));
    out.emplace("vacancies", vacancies_);
    out.emplace("continuing_vacancies", c.continuing_vacancies);
    out.emplace("postponed_seats", postponed_seats_);
    out.emplace("wards_declared", wards_declared_);
    out.emplace("wards_total", wards_total_);
    out.emplace("seats_declared", seats_declared_);
    out.emplace("seats_total", seats_total_);
    out.emplace("undeclared", undeclared());
    out.emplace("complete", complete());

    json::array comp(out.storage());
    for (std::size_t i : composition_order()) {
        const auto& h = holdings_[i];
        const auto& l = lines_[i];
        json::object o(out.storage());
        o.emplace("party", card_->parties[static_cast<std::size_t>(l.party)].code);
        o.emplace("seats", h.total());
        o.emplace("continuing", h.continuing);
        o.emplace("won", h.won);
        o.emplace("eve_of_poll", l.eve);
        o.emplace("net_vs_last", l.won_vs_last - l.last);
        comp.emplace_back(std::move(o));
    }
    out.emplace("composition", std::move(comp));

    std::string_view status = control::to_string(s.status);
    if (complete() && s.status != control::Status::unknown) status = "final";
    out.emplace("status", status);
    const std::string control = control_of(s);
    out.emplace("control", control.empty() ? json::value(nullptr) : json::value(control));
    out.emplace("control_before", control_before_.empty() ? json::value(nullptr) : json::value(control_before_));
    if (control.empty()) {
        out.emplace("outcome", nullptr);
        out.emplace("outcome_kind", nullptr);
    } else {
        out.emplace("outcome", control::outcome_words(control_before_, control));
        out.emplace("outcome_kind", control::to_string(control::outcome(control_before_, control)));
    }
    if (call_) {
        json::object call(out.storage());
        call.emplace("id", ids.event_id(call_->seq));
        call.emplace("seq", call_->seq);
        out.emplace("call", std::move(call));
    } else {
        out.emplace("call", nullptr);
    }
}

}  // namespace declared
