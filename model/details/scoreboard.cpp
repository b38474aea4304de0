#include "model/details/scoreboard.hpp"

#include <algorithm>
#include <charconv>


namespace declared {

namespace {
void number(std::string& out, std::int64_t n) {
    char buf[24];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

void signed_number(std::string& out, std::int64_t n) {
    if (n > 0) out += '+';
    number(out, n);
}

constexpr std::size_t kVoteParties = 12;  // named in votes.by_party; the rest are "others"
}  // namespace

std::int64_t basis_points(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return 0;
    return (part * 20000 + whole) / (2 * whole);
}

Scoreboard::Scoreboard(const Card& card)
    : card_(card),
      parties_(card.parties.size() + 1),
      councillor_json_(card.parties.size()),
      councillor_dirty_(card.parties.size(), 1),
      by_elections_(card),
      mayors_(card),
      pccs_(card) {
    std::vector<int> by_code;
    for (std::size_t p = 0; p < card.parties.size(); ++p) by_code.push_back(static_cast<int>(p));
    std::sort(by_code.begin(), by_code.end(), [&](int a, int b) {
        return card.parties[static_cast<std::size_t>(a)].code < card.parties[static_cast<std::size_t>(b)].code;
    });
    by_code_ = by_code;
    code_ordinal_.resize(card.parties.size());
    for (std::size_t i = 0; i < by_code.size(); ++i) code_ordinal_[static_cast<std::size_t>(by_code[i])] = static_cast<int>(i);
    // Every number is zero: each ranking starts in code order.
    for (Ranking* r : {&councillor_rank_, &council_rank_, &vote_rank_}) {
        r->order = by_code;
        r->at.resize(by_code.size());
        for (std::size_t i = 0; i < by_code.size(); ++i) r->at[static_cast<std::size_t>(by_code[i])] = static_cast<int>(i);
    }
    for (const auto& c : card.councils) {
        councils_total_ += c.holds_election();
        for (const auto& w : c.wards) {
            if (w.postponed) continue;
            if (w.by_election) {
                by_elections_.add_total(1);
                continue;
            }
            ++wards_total_;
            seats_up_ += w.seats;
            if (!w.last_won.empty()) with_baseline_up_ += w.seats;
        }
        for (const auto& m : c.mayors) (m.kind == "pcc" ? pccs_ : mayors_).add_total(1);
    }
}

void Scoreboard::add_ward(const WardContribution& w, int sign) {
    auto councillors = [&](int p) { return parties_[static_cast<std::size_t>(p)].councillors; };
    auto votes = [&](int p) { return parties_[static_cast<std::size_t>(p)].votes; };
    // One change at a time, so that each reposition finds the rest in order.
    for (int p : w.winners) {
        parties_[static_cast<std::size_t>(p)].councillors += sign;
        reposition(councillor_rank_, p, councillors);
    }
    for (int p : w.winners) councillor_dirty_[static_cast<std::size_t>(p)] = 1;
    for (int p : w.baseline) councillor_dirty_[static_cast<std::size_t>(p)] = 1;
    if (!w.baseline.empty()) {
        for (int p : w.winners) parties_[static_cast<std::size_t>(p)].won_vs_last += sign;
        for (int p : w.baseline) parties_[static_cast<std::size_t>(p)].last += sign;
    }
    for (const auto& [p, v] : w.votes) {
        auto& votes_now = parties_[static_cast<std::size_t>(p)].votes;
        parties_with_votes_ -= votes_now != 0;
        votes_now += sign * v;
        parties_with_votes_ += votes_now != 0;
        votes_ += sign * v;
        reposition(vote_rank_, p, votes);
    }
    electorate_ += sign * w.electorate;
    ballots_ += sign * w.ballots;
    const auto filled = static_cast<std::int64_t>(w.winners.size());
    declared_seats_ += sign * filled;
    if (!w.baseline.empty()) declared_with_baseline_ += sign * filled;
}

void Scoreboard::add_council_control(int before, int after, int sign) {
    if (after < 0) return;
    ++councils_version_;
    parties_[static_cast<std::size_t>(after)].councils += sign;
    if (after != noc())  // NOC is not ranked: it always comes last
        reposition(council_rank_, after, [&](int p) { return std::int64_t{parties_[static_cast<std::size_t>(p)].councils}; });
    if (before >= 0)
        parties_[static_cast<std::size_t>(before)].councils_before += sign;
    else
        parties_[static_cast<std::size_t>(after)].councils_unbased += sign;
    councils_known_ += sign;
}

template <class Key>
void Scoreboard::reposition(Ranking& r, int p, Key key) {
    auto before = [&](int a, int b) {
        const std::int64_t ka = key(a), kb = key(b);
        if (ka != kb) return ka > kb;
        return code_ordinal_[static_cast<std::size_t>(a)] < code_ordinal_[static_cast<std::size_t>(b)];
    };
    auto& order = r.order;
    std::size_t i = static_cast<std::size_t>(r.at[static_cast<std::size_t>(p)]);
    for (; i > 0 && before(p, order[i - 1]); --i) {
        order[i] = order[i - 1];
        r.at[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
    }
    for (; i + 1 < order.size() && before(order[i + 1], p); ++i) {
        order[i] = order[i + 1];
        r.at[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
    }
    order[i] = p;
    r.at[static_cast<std::size_t>(p)] = static_cast<int>(i);
}

std::vector<int> Scoreboard::council_order() const {
    std::vector<int> order;
    for (int p : council_rank_.order) {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        if (t.councils != 0 || t.councils_before != 0) order.push_back(p);
    }
    order.push_back(noc());
    return order;
}

std::string_view Scoreboard::councillor_member(int p) const {
    auto i = static_cast<std::size_t>(p);
    if (councillor_dirty_[i]) {
        const auto& t = parties_[i];
        JsonWriter& w = scratch_;
        w.clear();
        w.key(card_.parties[i].code).begin_object();
        w.field("count", t.councillors);
        w.field("change", t.won_vs_last - t.last);
        w.end_object();
        councillor_json_[i].assign(w.view());
        councillor_dirty_[i] = 0;
    }
    return councillor_json_[i];
}

void Scoreboard::write(JsonWriter& out) const {
    out.field("councils_declared", councils_declared_);
    out.field("councils_total", councils_total_);
    out.field("councils_known", councils_known_);
    out.field("wards_declared", wards_declared_);
    out.field("wards_total", wards_total_);

    refresh_councils();
    out.member(councils_json_);

    out.key("councillors").begin_object();
    for (int p : councillor_order()) {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        if (t.councillors != 0 || t.won_vs_last != t.last) out.member(councillor_member(p));
    }
    out.end_object();

    out.key("change_coverage").begin_object();
    out.field("declared_seats", declared_seats_);
    out.field("declared_with_baseline", declared_with_baseline_);
    out.field("seats_up", seats_up_);
    out.field("with_baseline", with_baseline_up_);
    out.end_object();

    write_votes(out);

    // Contests reported on their own, by party in code order.
    out.key("by_elections");
    by_elections_.write(out, by_code_);
    out.key("mayoralties");
    mayors_.write(out, by_code_);
    out.key("pccs");
    pccs_.write(out, by_code_);

    out.key("turnout").begin_object();
    out.field("electorate", electorate_);
    out.field("ballots", ballots_);
    out.field("turnout_bp", basis_points(ballots_, electorate_));
    out.end_object();
}


void Scoreboard::write_votes(JsonWriter& out) const {
    auto code = [&](int p) -> std::string_view {
        return p == noc() ? kNoc : std::string_view(card_.parties[static_cast<std::size_t>(p)].code);
    };
    // Vote share: parties with votes, most votes first. The leading parties
    // by name, the long tail of small parties as one line: a hundred
    // one-council parties in every event would be most of its bytes.
    out.key("votes").begin_object();
    out.field("method", "top_candidate");  // each party's top candidate per ward (Commons Library)
    out.field("total", votes_);
    out.key("by_party").begin_object();
    // Votes never go below zero, so the parties with votes lead the ranking
    // and the tail is what the named ones leave.
    std::int64_t named = 0;
    std::size_t shown = 0;
    for (int p : vote_order()) {
        if (shown == kVoteParties) break;
        const auto votes = parties_[static_cast<std::size_t>(p)].votes;
        if (votes == 0) continue;
        ++shown;
        named += votes;
        out.key(code(p)).begin_object();
        out.field("votes", votes);
        out.field("share_bp", basis_points(votes, votes_));
        out.end_object();
    }
    const std::int64_t rest = votes_ - named;
    out.end_object();
    out.key("others").begin_object();
    out.field("parties", static_cast<std::uint64_t>(static_cast<std::size_t>(parties_with_votes_) - shown));
    out.field("votes", rest);
    out.field("share_bp", basis_points(rest, votes_));
    out.end_object();
    out.end_object();
}

void Scoreboard::refresh_councils() const {
    if (councils_cached_ == councils_version_) return;
    councils_cached_ = councils_version_;
    auto code = [&](int p) -> std::string_view {
        return p == noc() ? kNoc : std::string_view(card_.parties[static_cast<std::size_t>(p)].code);
    };
    JsonWriter& w = scratch_;
    w.clear();
    w.key("councils").begin_object();
    std::string& text = councils_text_;
    text.clear();
    number(text, councils_declared_);
    text += " of ";
    number(text, councils_total_);
    text += " councils declared. Councils:";
    bool any = false;
    for (int p : council_order()) {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        w.key(code(p)).begin_object();
        w.field("count", t.councils);
        w.field("change", change(p));
        w.end_object();
        if (t.councils == 0 && t.councils_before == 0) continue;
        text += any ? ", " : " ";
        any = true;
        text += code(p);
        text += ' ';
        number(text, t.councils);
        text += " (";
        signed_number(text, change(p));
        text += ')';
    }
    w.end_object();
    councils_json_.assign(w.view());
    if (!any) text += " none known";
}

std::string_view Scoreboard::headline() const {
    refresh_councils();
    std::string& out = headline_;
    out = councils_text_;
    out += ". Councillors:";
    bool any = false;
    int shown = 0;
    for (int p : councillor_order()) {
        const auto& t = parties_[static_cast<std::size_t>(p)];
        if (t.councillors == 0 && t.won_vs_last == t.last) continue;
        if (shown++ == 4) break;
        out += any ? ", " : " ";
        any = true;
        out += card_.parties[static_cast<std::size_t>(p)].code;
        out += ' ';
        number(out, t.councillors);
        out += " (";
        signed_number(out, t.won_vs_last - t.last);
        out += ')';
    }
    if (!any) out += " none yet";
    return out;
}

}  // namespace declared
