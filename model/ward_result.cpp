#include "model/ward_result.hpp"

#include <algorithm>
#include <numeric>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "model/scoreboard.hpp"

namespace declared {

namespace json = boost::json;

std::vector<std::size_t> report_order(const Declaration& d) {
    std::vector<std::size_t> order(d.candidates.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return d.candidates[a].votes.value_or(0) > d.candidates[b].votes.value_or(0);
    });
    return order;
}

std::vector<std::string> winner_parties(const Declaration& d, const std::vector<std::size_t>& order) {
    std::vector<std::string> out;
    for (std::size_t i : order)
        if (d.candidates[i].elected) out.push_back(d.candidates[i].party);
    return out;
}

namespace {
json::value optional_int(const std::optional<std::int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}
}  // namespace

void write_ward_result(json::object& out, const Contest& contest, const Declaration& d,
                       const std::vector<std::size_t>& order, const std::vector<SeatResult>& seats) {
    out.emplace("contest", contest.kind);
    out.emplace("ward", contest.id);
    out.emplace("name", contest.name);
    out.emplace("declaration", d.id);
    out.emplace("revision", d.revision);
    out.emplace("source", d.source);
    out.emplace("seats", contest.seats);
    out.emplace("notional", contest.notional);
    const bool uncontested = d.uncontested();
    out.emplace("uncontested", uncontested);
    out.emplace("electorate", optional_int(d.electorate));
    out.emplace("ballots", optional_int(d.ballots));
    out.emplace("rejected", optional_int(d.rejected));
    if (d.electorate && d.ballots && *d.electorate > 0)
        out.emplace("turnout_bp", basis_points(*d.ballots, *d.electorate));
    else
        out.emplace("turnout_bp", nullptr);

    std::int64_t total = 0;
    for (const auto& c : d.candidates) total += c.votes.value_or(0);
    json::array cands(out.storage());
    cands.reserve(order.size());
    for (std::size_t i : order) {
        const Candidate& c = d.candidates[i];
        json::object o(out.storage());
        o.emplace("name", c.name);
        o.emplace("party", c.party);
        o.emplace("votes", optional_int(c.votes));
        o.emplace("share_bp", c.votes ? json::value(basis_points(*c.votes, total)) : json::value(nullptr));
        o.emplace("elected", c.elected);
        cands.emplace_back(std::move(o));
    }
    out.emplace("candidates", std::move(cands));
    if (d.lots) {
        json::object lots(out.storage());
        json::array between(out.storage());
        for (const auto& n : d.lots->between) between.emplace_back(n);
        lots.emplace("between", std::move(between));
        lots.emplace("winner", d.lots->winner);
        out.emplace("lots", std::move(lots));
    } else {
        out.emplace("lots", nullptr);
    }

    json::array winners(out.storage());
    json::array seat_results(out.storage());
    for (const auto& s : seats) {
        winners.emplace_back(s.party);
        json::object o(out.storage());
        o.emplace("party", s.party);
        o.emplace("result", to_string(s.kind));
        o.emplace("from", s.kind == SeatResult::Kind::gain ? json::value(s.from) : json::value(nullptr));
        seat_results.emplace_back(std::move(o));
    }
    out.emplace("winners", std::move(winners));
    json::array baseline(out.storage());
    if (contest.baseline)
        for (const auto& p : *contest.baseline) baseline.emplace_back(p);
    out.emplace("baseline", std::move(baseline));
    out.emplace("seat_results", std::move(seat_results));
    out.emplace("summary", seat_words(seats));
}

std::string ward_text(std::string_view place, const std::vector<SeatResult>& seats, bool uncontested, bool notional) {
    std::string out(place);
    out += ": ";
    out += seat_words(seats);
    if (uncontested) out += " (unopposed)";
    if (notional) out += " (notional)";
    return out;
}

}  // namespace declared
