#include "model/details/ward_result.hpp"

#include <algorithm>
#include <numeric>

#include "model/details/scoreboard.hpp"

namespace declared {

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

// Each candidate in result order, with their share of the votes cast.
void write_candidates(JsonWriter& out, const Declaration& d, const std::vector<std::size_t>& order) {
    std::int64_t total = 0;
    for (const auto& c : d.candidates) total += c.votes.value_or(0);
    out.key("candidates").begin_array();
    for (std::size_t i : order) {
        const Candidate& c = d.candidates[i];
        out.begin_object();
        out.field("name", c.name);
        out.field("party", c.party);
        out.key("votes").int_or_null(c.votes);
        out.key("share_bp");
        if (c.votes)
            out.value(basis_points(*c.votes, total));
        else
            out.null();
        out.field("elected", c.elected);
        out.end_object();
    }
    out.end_array();
}

// The seats decided by lot, or null.
void write_lots(JsonWriter& out, const Declaration& d) {
    out.key("lots");
    if (d.lots) {
        out.begin_object().key("between").begin_array();
        for (const auto& n : d.lots->between) out.value(n);
        out.end_array();
        out.key("winners").begin_array();
        for (const auto& n : d.lots->winners) out.value(n);
        out.end_array();
        out.key("winner").string_or_null(d.lots->winners.size() == 1 ? std::string_view(d.lots->winners.front())
                                                                       : std::string_view());
        out.end_object();
    } else {
        out.null();
    }

}

// Who won each seat, the baseline it is measured against, and gain or hold.
void write_seats(JsonWriter& out, const Contest& contest, const std::vector<SeatResult>& seats) {
    out.key("winners").begin_array();
    for (const auto& s : seats) out.value(s.party);
    out.end_array();
    out.key("baseline").begin_array();
    if (contest.baseline)
        for (const auto& p : *contest.baseline) out.value(p);
    out.end_array();
    out.key("seat_results").begin_array();
    for (const auto& s : seats) {
        out.begin_object();
        out.field("party", s.party);
        out.field("result", to_string(s.kind));
        out.key("from").string_or_null(s.kind == SeatResult::Kind::gain ? s.from : std::string_view());
        out.end_object();
    }
    out.end_array();
}

}  // namespace

void write_ward_result(JsonWriter& out, const Contest& contest, const Declaration& d,
                       const std::vector<std::size_t>& order, const std::vector<SeatResult>& seats,
                       std::string_view summary) {
    out.field("contest", contest.kind);
    out.field("ward", contest.id);
    out.field("name", contest.name);
    out.field("declaration", d.id);
    out.field("revision", d.revision);
    out.field("source", d.source);
    out.field("seats", contest.seats);
    out.field("vacant_seats", contest.seats - static_cast<int>(seats.size()));
    out.field("notional", contest.notional);
    out.field("by_election", contest.by_election);
    out.field("uncontested", d.uncontested());
    out.key("electorate").int_or_null(d.electorate);
    out.key("ballots").int_or_null(d.ballots);
    out.key("rejected").int_or_null(d.rejected);
    // Unopposed, nobody voted: the turnout is unknown, not 0.
    out.key("turnout_bp");
    if (d.electorate && d.ballots && *d.electorate > 0 && !d.uncontested())
        out.value(basis_points(*d.ballots, *d.electorate));
    else
        out.null();

    write_candidates(out, d, order);
    write_lots(out, d);
    write_seats(out, contest, seats);
    out.field("summary", summary);
}

void append_ward_text(std::string& out, std::string_view summary, bool uncontested, int vacant, bool by_lot,
                      bool notional) {
    out += ": ";
    out += summary;
    std::string vacancy;
    if (vacant > 0) vacancy = std::to_string(vacant) + (vacant == 1 ? " seat vacant" : " seats vacant");
    if (uncontested) out += vacant > 0 ? " (unopposed, " + vacancy + ")" : std::string(" (unopposed)");
    else if (vacant > 0) out += " (" + vacancy + ")";
    if (by_lot) out += " (decided by lot)";
    if (notional) out += " (notional)";
}

}  // namespace declared
