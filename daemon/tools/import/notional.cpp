#include "daemon/tools/import/notional.hpp"

#include "daemon/tools/import/error.hpp"
#include "daemon/tools/import/text.hpp"

namespace declared::import {

int NotionalWard::total() const {
    int n = 0;
    for (const auto& [p, s] : seats) n += s;
    return n;
}

std::vector<NotionalWard> read_notional(const CsvTable& table) {
    static const std::vector<ColumnSpec> specs = {
        {"council", {"Local authority name", "Council name", "Council", "Authority name", "Authority"}, false},
        {"council_ons", {"Local authority code", "Council code", "Council ONS code", "LA code", "ONS code"}, false},
        {"ward", {"Ward name", "Ward", "Division name", "Division"}, false},
        {"ward_ons", {"Ward code", "Ward ONS code", "Division code"}, false},
        {"party", {"Party", "Party abbreviation", "Party code", "Party name", "Winner"}},
        {"seats", {"Seats", "Notional seats", "Won", "Seats won"}, false},
    };
    const Header h = Header::find(table, specs);
    if (!h.has("council") && !h.has("council_ons"))
        refuse(table.file, table.rows[h.row()].line, "", "no council column (a name or an ONS code); " + h.found());
    if (!h.has("ward") && !h.has("ward_ons"))
        refuse(table.file, table.rows[h.row()].line, "", "no ward column (a name or an ONS code); " + h.found());
    std::vector<NotionalWard> out;
    std::map<std::string, std::size_t> at;
    for (std::size_t i = h.row() + 1; i < table.rows.size(); ++i) {
        const CsvRow& r = table.rows[i];
        if (r.blank()) continue;
        NotionalWard w{trim(h.get(r, "council")), trim(h.get(r, "council_ons")), trim(h.get(r, "ward")), trim(h.get(r, "ward_ons")), {}, r.line};
        const std::string party = trim(h.get(r, "party"));
        if (party.empty()) refuse(table.file, r.line, h.label("party"), "empty party");
        int seats = 1;
        if (h.has("seats")) {
            auto n = parse_count(h.get(r, "seats"));
            if (!n || *n < 0 || *n > 20)
                refuse(table.file, r.line, h.label("seats"), "expected a number of seats from 0 to 20, got '" + std::string(h.get(r, "seats")) + "'");
            seats = static_cast<int>(*n);
        }
        const std::string key = w.council_ons + "|" + council_key(w.council) + "|" + w.ward_ons + "|" + match_key(w.ward);
        auto [it, fresh] = at.emplace(key, out.size());
        if (fresh) out.push_back(std::move(w));
        if (seats > 0) out[it->second].seats.emplace_back(party, seats);
    }
    return out;
}

}  // namespace declared::import
