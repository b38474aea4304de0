#include "tests/import/replay_summary.hpp"

#include <catch2/catch.hpp>

#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"

namespace declared::testing {

boost::json::object replay_summary(const import::ImportResult& r) {
    auto loaded = parse_card(card_to_json(r.card));
    REQUIRE(loaded.ok());
    Card card = std::move(*loaded.value);
    card.index();
    Tally tally(card);
    tally.start();
    DeclarationParser parser;
    for (const auto& d : r.declarations) {
        auto parsed = parser.parse(declaration_to_json(d));
        REQUIRE(parsed.ok());
        Declaration decl = std::move(*parsed.value);
        auto a = tally.assess(decl);
        INFO(d.id << ": " << a.error.message());
        REQUIRE(a.accepted());
        tally.apply(decl, decl.declared_at);
    }
    return boost::json::parse(tally.summary_json()).as_object();
}

std::int64_t summary_count(const boost::json::object& summary, const char* table, const std::string& party) {
    const auto& t = summary.at(table).as_object();
    auto it = t.find(party);
    return it == t.end() ? 0 : it->value().as_object().at("count").as_int64();
}

}  // namespace declared::testing
