#include "model/contest_totals.hpp"

#include <stdexcept>

namespace declared {

ContestTotals::Line& ContestTotals::line(std::string_view code) {
    const Party* p = card_->party(code);
    if (!p) throw std::invalid_argument("party not on the card: " + std::string(code));
    return parties_[static_cast<std::size_t>(p - card_->parties.data())];
}

void ContestTotals::add(std::span<const SeatResult> seats, int sign) {
    dirty_ = true;
    for (const auto& s : seats) {
        line(s.party).won += sign;
        if (s.kind == SeatResult::Kind::gain) {
            line(s.party).gained += sign;
            line(s.from).lost += sign;
        }
    }
}

void ContestTotals::write(JsonWriter& to, const std::vector<int>& code_order) const {
    if (!dirty_) {
        to.json(cache_);
        return;
    }
    JsonWriter out;
    out.begin_object();
    out.field("declared", declared_);
    out.field("total", total_);
    out.key("parties").begin_object();
    for (int i : code_order) {
        const auto p = static_cast<std::size_t>(i);
        const Line& l = parties_[p];
        if (l.won == 0 && l.lost == 0) continue;
        out.key(card_->parties[p].code).begin_object();
        out.field("won", l.won);
        out.field("gained", l.gained);
        out.field("lost", l.lost);
        out.end_object();
    }
    out.end_object();
    out.end_object();
    cache_.assign(out.view());
    dirty_ = false;
    to.json(cache_);
}

}  // namespace declared
