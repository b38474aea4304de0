#include "model/scoreboard.hpp"

#include <algorithm>


namespace declared {

std::int64_t basis_points(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return 0;
    return (part * 20000 + whole) / (2 * whole);
}

Scoreboard::Scoreboard(const Card& card) : card_(card), parties_(card.parties.size() + 1) {
    for (const auto& c : card.councils)
        for (const auto& w : c.wards)
            if (!w.postponed) ++wards_total_;
}

void Scoreboard::add_ward(const WardContribution& w, int sign) {
    for (int p : w.winners) parties_[static_cast<std::size_t>(p)].councillors += sign;
    if (!w.baseline.empty()) {
        for (int p : w.winners) parties_[static_cast<std::size_t>(p)].won_vs_last += sign;
        for (int p : w.baseline) parties_[static_cast<std::size_t>(p)].last += sign;
    }
    for (const auto& [p, v] : w.votes) {
        parties_[static_cast<std::size_t>(p)].votes += sign * v;
        votes_ += sign * v;
    }
    electorate_ += sign * w.electorate;
    ballots_ += sign * w.ballots;
}

void Scoreboard::add_council_control(int before, int after, int sign) {
    if (after < 0) return;
    parties_[static_cast<std::size_t>(after)].councils += sign;
    if (before >= 0) parties_[static_cast<std::size_t>(before)].councils_before += sign;
    councils_known_ += sign;
}

std::vector<int> Scoreboard::councillor_order() const {
    std::vector<int> order;
    for (std::size_t p = 0; p + 1 < parties_.size(); ++p) {
        const auto& t = parties_[p];
        if (t.councillors != 0 || t.won_vs_last != t.last) order.push_back(static_cast<int>(p));
    }
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const auto& ta = parties_[static_cast<std::size_t>(a)];
        const auto& tb = parties_[static_cast<std::size_t>(b)];
        if (ta.councillors != tb.councillors) return ta.councillors > tb.councillors;
        return card_.parties[static_cast<std::size_t>(a)].code < card_.parties[static_cast<std::size_t>(b)].code;
    });
    return order;
}

std::vector<int> Scoreboard::council_order() const {
    std::vector<int> order;
    for (std::size_t p = 0; p + 1 < parties_.size(); ++p) {
        const auto& t = parties_[p];
        if (t.councils != 0 || t.councils_before != 0) order.push_back(static_cast<int>(p));
    }
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const auto& ta = parties_[static_cast<std::size_t>(a)];
        const auto& tb = parties_[static_cast<std::size_t>(b)];
        if (ta.councils != tb.councils) return ta.councils > tb.councils;
        return card_.parties[static_cast<std::size_t>(a)].code < card_.parties[static_cast<std::size_t>(b)].code;
    });
    order.push_back(noc());
    return order;
}

void Scoreboard::write(JsonWriter& out) const {
    out.field("councils_declared", councils_declared_);
    out.field("councils_total", static_cast<std::uint64_t>(card_.councils.size()));
    out.field("councils_known", councils_known_);
    out.field("wards_declared", wards_declared_);
    out.field("wards_total", wards_total_);

    auto code = [&](int p) -> std::string_view {
        return p == noc() ? kNoc : std::string_view(card_.parties[static_cast<std::size_t>(p)].code);
    };
    out.key("councils").begin_object();
    for (int p : council_order()) {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        out.key(code(p)).begin_object();
        out.field("count", t.councils);
        out.field("change", t.councils - t.councils_before);
        out.end_object();
    }
    out.end_object();

    out.key("councillors").begin_object();
    for (int p : councillor_order()) {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        out.key(code(p)).begin_object();
        out.field("count", t.councillors);
        out.field("change", t.won_vs_last - t.last);
        out.end_object();
    }
    out.end_object();

    // Vote share: parties with votes, most votes first.
    std::vector<int> by_votes;
    for (std::size_t p = 0; p + 1 < parties_.size(); ++p)
        if (parties_[p].votes != 0) by_votes.push_back(static_cast<int>(p));
    std::sort(by_votes.begin(), by_votes.end(), [&](int a, int b) {
        const auto& ta = parties_[static_cast<std::size_t>(a)];
        const auto& tb = parties_[static_cast<std::size_t>(b)];
        if (ta.votes != tb.votes) return ta.votes > tb.votes;
        return card_.parties[static_cast<std::size_t>(a)].code < card_.parties[static_cast<std::size_t>(b)].code;
    });
    out.key("votes").begin_object();
    out.field("total", votes_);
    out.key("by_party").begin_object();
    for (int p : by_votes) {
        out.key(code(p)).begin_object();
        out.field("votes", parties_[static_cast<std::size_t>(p)].votes);
        out.field("share_bp", basis_points(parties_[static_cast<std::size_t>(p)].votes, votes_));
        out.end_object();
    }
    out.end_object();
    out.end_object();

    out.key("turnout").begin_object();
    out.field("electorate", electorate_);
    out.field("ballots", ballots_);
    out.field("turnout_bp", basis_points(ballots_, electorate_));
    out.end_object();
}

namespace {
void signed_number(std::string& out, std::int64_t n) {
    if (n > 0) out += '+';
    out += std::to_string(n);
}
}  // namespace

std::string Scoreboard::headline() const {
    std::string out = std::to_string(councils_declared_);
    out += " of ";
    out += std::to_string(card_.councils.size());
    out += " councils declared. Councils:";
    bool any = false;
    for (int p : council_order()) {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        if (t.councils == 0 && t.councils_before == 0) continue;
        out += any ? ", " : " ";
        any = true;
        out += p == noc() ? kNoc : std::string_view(card_.parties[static_cast<std::size_t>(p)].code);
        out += ' ';
        out += std::to_string(t.councils);
        out += " (";
        signed_number(out, t.councils - t.councils_before);
        out += ')';
    }
    if (!any) out += " none known";
    out += ". Councillors:";
    any = false;
    int shown = 0;
    for (int p : councillor_order()) {
        if (shown++ == 4) break;
        const auto& t = parties_[static_cast<std::size_t>(p)];
        out += any ? ", " : " ";
        any = true;
        out += card_.parties[static_cast<std::size_t>(p)].code;
        out += ' ';
        out += std::to_string(t.councillors);
        out += " (";
        signed_number(out, t.won_vs_last - t.last);
        out += ')';
    }
    if (!any) out += " none yet";
    return out;
}

}  // namespace declared
