#include "model/wire_text.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

namespace declared {

namespace {

// House style for the parties a UK results desk names most.
const std::map<std::string_view, std::string_view>& style() {
    static const std::map<std::string_view, std::string_view> kStyle{
        {"LAB", "Labour"},           {"CON", "the Conservatives"}, {"LD", "the Liberal Democrats"},
        {"GREEN", "the Greens"},     {"GRN", "the Greens"},        {"REF", "Reform UK"},
        {"REFORM", "Reform UK"},     {"SNP", "the SNP"},           {"PC", "Plaid Cymru"},
        {"IND", "independents"},     {"UKIP", "UKIP"},             {"TUSC", "TUSC"},
        {"SDP", "the SDP"},
    };
    return kStyle;
}

std::string capitalised(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

std::string with_commas(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string count_words(int n) {
    static const char* const kWords[] = {"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
    return n >= 0 && n <= 10 ? kWords[n] : std::to_string(n);
}

std::string seats_word(int n) { return n == 1 ? "seat" : "seats"; }

// A headline's subject drops the article: "Conservatives hold", "Labour gain".
std::string headline_subject(std::string words) {
    if (words.starts_with("the ")) words.erase(0, 4);
    return capitalised(std::move(words));
}

}  // namespace

std::string party_in_words(const Card& card, std::string_view code) {
    if (auto it = style().find(code); it != style().end()) return std::string(it->second);
    if (const Party* p = card.party(code); p && !p->name.empty()) return p->name;
    return std::string(code);
}

// Defined here rather than in council_state.cpp: only the wire copy needs it.
std::vector<CouncilState::Standing> CouncilState::standings() const {
    std::vector<Standing> out;
    for (std::size_t i : composition_order())
        out.push_back(Standing{card_->parties[static_cast<std::size_t>(lines_[i].party)].code, holdings_[i].total(),
                               lines_[i].won_vs_last - lines_[i].last});
    return out;
}

std::string wire_call(const Card& card, const CouncilState& cs, std::string_view control) {
    const Council& c = cs.council();
    const std::string& before = cs.control_before();
    const auto standings = cs.standings();
    const bool final = cs.undeclared() == 0;
    std::string out;
    if (control == kNoc) {
        if (before == kNoc) out = c.name + " remains under no overall control.";
        else if (before.empty()) out = c.name + " is under no overall control.";
        else out = capitalised(party_in_words(card, before)) + " have lost control of " + c.name +
                   ", which is now under no overall control.";
    } else {
        out = capitalised(party_in_words(card, control));
        if (before == control) out += " have held " + c.name;
        else if (before == kNoc) out += " have gained " + c.name + " from no overall control";
        else if (before.empty()) out += " have won " + c.name;
        else out += " have gained " + c.name + " from " + party_in_words(card, before);
        int seats = 0;
        for (const auto& s : standings)
            if (s.party == control) seats = s.seats;
        // "winning" only where every seat was fought tonight; elsewhere the
        // seats held include councillors not up this year.
        const bool all_up = c.continuing.empty() && c.continuing_vacancies == 0;
        if (c.size > 0 && final)
            out += std::string(all_up ? ", winning " : ", with ") + std::to_string(seats) + " of the " +
                   std::to_string(c.size) + " seats.";
        else if (c.size > 0)
            out += ", with " + std::to_string(seats) + " of the " + std::to_string(c.size) + " seats and " +
                   std::to_string(cs.undeclared()) + " still to declare.";
        else
            out += ".";
    }
    // The night's biggest loser here, against the last time these seats were fought.
    const CouncilState::Standing* loser = nullptr;
    for (const auto& s : standings)
        if (s.net_vs_last < 0 && (!loser || s.net_vs_last < loser->net_vs_last)) loser = &s;
    if (loser) {
        const int n = -loser->net_vs_last;
        out += " " + capitalised(party_in_words(card, loser->party)) + (final ? " lost " : " have lost ") +
               std::to_string(n) + " " + seats_word(n) + (final ? "." : " so far.");
    }
    return out;
}

std::string wire_result(const Card& card, const Council& c, const Contest& contest, const Declaration& d,
                        const std::vector<std::size_t>& order, const std::vector<SeatResult>& seats, bool correction) {
    // Seat results grouped by (party, kind, from), in the order first seen.
    struct Group {
        std::string_view party, from;
        SeatResult::Kind kind;
        int n = 0;
    };
    std::vector<Group> groups;
    for (const auto& s : seats) {
        auto g = std::find_if(groups.begin(), groups.end(),
                              [&](const Group& x) { return x.party == s.party && x.kind == s.kind && x.from == s.from; });
        if (g == groups.end()) groups.push_back(Group{s.party, s.from, s.kind, 1});
        else ++g->n;
    }
    auto verb = [](SeatResult::Kind k) {
        return k == SeatResult::Kind::hold ? "hold" : k == SeatResult::Kind::gain ? "gain" : "win";
    };
    std::string out = c.name + ": ";
    if (seats.size() == 1) {
        const auto& g = groups.front();
        out += headline_subject(party_in_words(card, g.party)) + " " + verb(g.kind) + " " + std::string(contest.name);
        if (g.kind == SeatResult::Kind::gain) out += " from " + party_in_words(card, g.from);
    } else {
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const auto& g = groups[i];
            if (i) out += i + 1 == groups.size() ? " and " : ", ";
            // The party once for its run of groups: "Labour hold two seats and gain one".
            if (!i) out += headline_subject(party_in_words(card, g.party)) + " ";
            else if (g.party != groups[i - 1].party) out += party_in_words(card, g.party) + " ";
            const bool every = g.n == static_cast<int>(seats.size());
            out += std::string(verb(g.kind)) + " " +
                   (every && g.n == 2 ? std::string("both seats")
                    : every           ? "all " + count_words(g.n) + " seats"
                                      : count_words(g.n) + " " + seats_word(g.n));
            if (g.kind == SeatResult::Kind::gain) out += " from " + party_in_words(card, g.from);
        }
        out += " in " + std::string(contest.name);
    }
    if (d.uncontested()) {
        out += ", unopposed";
    } else {
        // Majority: the last elected candidate's votes over the first not elected.
        std::optional<std::int64_t> last_in, first_out;
        for (std::size_t i : order) {
            const auto& cand = d.candidates[i];
            if (!cand.votes) continue;
            if (cand.elected) last_in = last_in ? std::min(*last_in, *cand.votes) : *cand.votes;
            else if (!first_out || *cand.votes > *first_out) first_out = *cand.votes;
        }
        if (last_in && first_out) out += ", majority " + with_commas(*last_in - *first_out);
    }
    if (d.lots) out += " (decided by lot)";
    if (correction) out += " (corrected result)";
    return out;
}

}  // namespace declared
