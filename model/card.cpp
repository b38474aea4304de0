#include "model/card.hpp"

#include <algorithm>
#include <numeric>

namespace declared {

int Council::seats_up() const {
    return std::accumulate(wards.begin(), wards.end(), 0, [](int n, const Ward& w) { return n + w.seats; });
}

bool Council::holds_election() const {
    return std::any_of(wards.begin(), wards.end(), [](const Ward& w) { return !w.by_election; });
}

void Card::index() {
    party_by_name_.clear();
    council_by_id_.clear();
    ward_by_id_.clear();
    for (std::size_t i = 0; i < parties.size(); ++i) {
        party_by_name_.emplace(parties[i].code, i);
        for (const auto& a : parties[i].aliases) party_by_name_.emplace(a, i);
    }
    for (std::size_t c = 0; c < councils.size(); ++c) {
        council_by_id_.emplace(councils[c].id, c);
        for (std::size_t w = 0; w < councils[c].wards.size(); ++w)
            ward_by_id_.emplace(councils[c].wards[w].id, std::make_pair(c, w));
    }
}

const Party* Card::party(std::string_view code_or_alias) const {
    auto it = party_by_name_.find(code_or_alias);
    return it == party_by_name_.end() ? nullptr : &parties[it->second];
}

std::string_view Card::display(std::string_view code) const {
    const Party* p = party(code);
    return p && !p->label.empty() ? std::string_view(p->label) : code;
}

const Council* Card::council(std::string_view id) const {
    auto it = council_by_id_.find(id);
    return it == council_by_id_.end() ? nullptr : &councils[it->second];
}

const Ward* Card::ward(const Council& c, std::string_view ward_id) const {
    auto it = ward_by_id_.find(ward_id);
    if (it == ward_by_id_.end() || &councils[it->second.first] != &c) return nullptr;
    return &c.wards[it->second.second];
}

const Mayoralty* Card::mayor(const Council& c, std::string_view contest_id) const {
    for (const auto& m : c.mayors)
        if (m.id == contest_id) return &m;
    return nullptr;
}

std::string_view to_string(Cycle c) {
    switch (c) {
        case Cycle::all_out: return "all-out";
        case Cycle::thirds: return "thirds";
        case Cycle::halves: return "halves";
        case Cycle::unknown: break;
    }
    return "unknown";
}

std::optional<Cycle> cycle_from_string(std::string_view s) {
    if (s == "all-out") return Cycle::all_out;
    if (s == "thirds") return Cycle::thirds;
    if (s == "halves") return Cycle::halves;
    if (s == "unknown") return Cycle::unknown;
    return std::nullopt;
}

}  // namespace declared
