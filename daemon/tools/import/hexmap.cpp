#include "daemon/tools/import/hexmap.hpp"

#include <map>
#include <set>

#include <boost/json.hpp>

#include "daemon/tools/import/error.hpp"

namespace declared::import {

namespace json = boost::json;

HexmapPlacement place_on_hexmap(Card& card, std::string_view hexjson, const std::string& file) {
    boost::system::error_code ec;
    auto doc = json::parse(hexjson, ec);
    if (ec) refuse(file, 0, "", "not JSON (" + ec.message() + "); expected a HexJSON file");
    if (!doc.is_object()) refuse(file, 0, "", "expected a HexJSON object with \"layout\" and \"hexes\"");
    const auto& root = doc.as_object();
    const auto* layout = root.if_contains("layout");
    if (!layout || !layout->is_string())
        refuse(file, 0, "", "\"layout\": expected \"odd-r\", got " + (layout ? json::serialize(*layout) : "nothing"));
    if (layout->as_string() != "odd-r")
        refuse(file, 0, "", "\"layout\": expected \"odd-r\" (the page draws odd-r maps), got \"" +
                              std::string(layout->as_string()) + "\"");
    const auto* hexes = root.if_contains("hexes");
    if (!hexes || !hexes->is_object()) refuse(file, 0, "", "\"hexes\": expected an object keyed by ONS code");

    std::map<std::string, HexPosition, std::less<>> by_code;
    std::map<std::pair<int, int>, std::string> cells;
    for (const auto& [code, hex] : hexes->as_object()) {
        const std::string where = "\"hexes\".\"" + std::string(code) + "\"";
        if (!hex.is_object()) refuse(file, 0, "", where + ": expected an object with q and r");
        HexPosition p;
        for (auto [key, out] : {std::pair{"q", &p.q}, std::pair{"r", &p.r}}) {
            const auto* v = hex.as_object().if_contains(key);
            if (!v || !v->is_int64() || v->as_int64() < -10'000 || v->as_int64() > 10'000)
                refuse(file, 0, "", where + "." + key + ": expected a whole number from -10000 to 10000, got " +
                                      (v ? json::serialize(*v) : "nothing"));
            *out = static_cast<int>(v->as_int64());
        }
        if (auto [it, fresh] = cells.emplace(std::pair{p.q, p.r}, std::string(code)); !fresh)
            refuse(file, 0, "", where + ": the cell q=" + std::to_string(p.q) + " r=" + std::to_string(p.r) +
                                  " is already " + it->second + "'s");
        by_code.emplace(std::string(code), p);
    }

    HexmapPlacement out;
    for (auto& c : card.councils) {
        auto it = c.ons.empty() ? by_code.end() : by_code.find(c.ons);
        if (it == by_code.end()) {
            c.hex.reset();
            out.unplaced.push_back(c.name + " (" + (c.ons.empty() ? "no ONS code" : c.ons) + ")");
            continue;
        }
        c.hex = it->second;
        ++out.placed;
    }
    return out;
}

}  // namespace declared::import
