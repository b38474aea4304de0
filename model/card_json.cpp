#include "model/card_json.hpp"

#include <set>

#include <boost/json.hpp>
#include <simdjson.h>

#include "model/details/json_reader.hpp"
#include "model/details/pretty_json.hpp"

namespace declared {

namespace {

using details::index_path;
using details::join_path;
using details::JsonReader;
using simdjson::dom::object;

constexpr std::int64_t kMaxSeats = 100'000;

void read_party_map(JsonReader& r, object o, const std::string& path, const char* key, std::map<std::string, int>& out) {
    auto m = r.object(o, path, key, false);
    if (!m) return;
    for (auto [party, value] : *m) {
        std::int64_t n = 0;
        const std::string parent = join_path(path, key);
        r.integer_value(value, details::Where{parent, party}, n, 0, kMaxSeats);
        out[std::string(party)] = static_cast<int>(n);
    }
}

void read_strings(JsonReader& r, object o, const std::string& path, const char* key, std::vector<std::string>& out) {
    auto a = r.array(o, path, key, false);
    if (!a) return;
    std::size_t i = 0;
    for (auto item : *a) {
        std::string s;
        const std::string parent = join_path(path, key);
        r.string_value(item, details::Where{parent, {}, i++}, s);
        out.push_back(std::move(s));
    }
}

Ward read_ward(JsonReader& r, object o, const std::string& path) {
    Ward w;
    std::int64_t seats = 1;
    r.string(o, path, "id", w.id, true);
    r.string(o, path, "name", w.name, true);
    r.string(o, path, "ons", w.ons, false);
    r.integer(o, path, "seats", seats, 1, 100, true);
    w.seats = static_cast<int>(seats);
    read_strings(r, o, path, "last_won", w.last_won);
    r.boolean(o, path, "notional", w.notional, false);
    r.boolean(o, path, "postponed", w.postponed, false);
    if (!r.failed() && !w.last_won.empty() && static_cast<int>(w.last_won.size()) != w.seats)
        r.fail("last_won_count", join_path(path, "last_won"),
               std::to_string(w.seats) + " entries (one per seat up) or none", std::to_string(w.last_won.size()));
    return w;
}

Council read_council(JsonReader& r, object o, const std::string& path) {
    Council c;
    std::int64_t size = 0, vac = 0, cont_vac = 0;
    r.string(o, path, "id", c.id, true);
    r.string(o, path, "ons", c.ons, false);
    r.string(o, path, "name", c.name, true);
    r.string(o, path, "region", c.region, false);
    r.integer(o, path, "size", size, 0, kMaxSeats, false);
    c.size = static_cast<int>(size);
    std::string cycle = "unknown";
    r.string(o, path, "cycle", cycle, false);
    if (!r.failed()) {
        if (auto cy = cycle_from_string(cycle)) c.cycle = *cy;
        else r.fail("bad_value", join_path(path, "cycle"), "all-out, thirds, halves or unknown", "\"" + cycle + "\"");
    }
    read_party_map(r, o, path, "composition", c.composition);
    r.integer(o, path, "vacancies", vac, 0, kMaxSeats, false);
    c.vacancies_before = static_cast<int>(vac);
    r.string(o, path, "control_before", c.control_before, false);
    read_party_map(r, o, path, "continuing", c.continuing);
    r.integer(o, path, "continuing_vacancies", cont_vac, 0, kMaxSeats, false);
    c.continuing_vacancies = static_cast<int>(cont_vac);
    if (auto wards = r.array(o, path, "wards", true)) {
        std::size_t i = 0;
        for (auto item : *wards) {
            std::string wp = index_path(join_path(path, "wards"), i++);
            object wo;
            if (item.get_object().get(wo) != simdjson::SUCCESS) {
                r.fail("wrong_type", wp, "an object", details::describe(item));
                break;
            }
            c.wards.push_back(read_ward(r, wo, wp));
            if (r.failed()) break;
        }
    }
    if (auto hex = r.object(o, path, "hex", false)) {
        const std::string hp = join_path(path, "hex");
        std::int64_t q = 0, row = 0;
        r.integer(*hex, hp, "q", q, -10'000, 10'000, true);
        r.integer(*hex, hp, "r", row, -10'000, 10'000, true);
        c.hex = HexPosition{static_cast<int>(q), static_cast<int>(row)};
    }
    if (auto mayors = r.array(o, path, "mayors", false)) {
        std::size_t i = 0;
        for (auto item : *mayors) {
            std::string mp = index_path(join_path(path, "mayors"), i++);
            object mo;
            if (item.get_object().get(mo) != simdjson::SUCCESS) {
                r.fail("wrong_type", mp, "an object", details::describe(item));
                break;
            }
            Mayoralty m;
            r.string(mo, mp, "id", m.id, true);
            r.string(mo, mp, "name", m.name, true);
            r.string(mo, mp, "previous", m.previous, false);
            c.mayors.push_back(std::move(m));
        }
    }
    return c;
}

// Control by the majority rule, for cards that leave control_before out.
std::string derive_control(const Card& card, const Council& c) {
    if (c.size <= 0) return {};
    int threshold = (c.size - c.vacancies_before) / 2 + 1;
    for (const auto& [code, seats] : c.composition) {
        const Party* p = card.party(code);
        if (p && p->can_control && seats >= threshold) return code;
    }
    return std::string(kNoc);
}

// Cross-references and arithmetic that no single field shows.
std::optional<Error> check_card(Card& card) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < card.parties.size(); ++i) {
        const Party& p = card.parties[i];
        std::string path = index_path("parties", i);
        if (!names.insert(p.code).second)
            return Error{"duplicate_party", join_path(path, "code"), "a code or alias used once", "\"" + p.code + "\" again"};
        for (std::size_t a = 0; a < p.aliases.size(); ++a)
            if (!names.insert(p.aliases[a]).second)
                return Error{"duplicate_party", index_path(join_path(path, "aliases"), a),
                             "a code or alias used once", "\"" + p.aliases[a] + "\" again"};
    }
    auto unknown_party = [&](const std::string& path, const std::string& code) {
        return Error{"unknown_party", path, "a party code on the card", "\"" + code + "\""};
    };
    std::set<std::string> councils, contests;
    for (std::size_t ci = 0; ci < card.councils.size(); ++ci) {
        Council& c = card.councils[ci];
        std::string path = index_path("councils", ci);
        if (!councils.insert(c.id).second)
            return Error{"duplicate_council", join_path(path, "id"), "a unique council id", "\"" + c.id + "\" again"};
        for (const auto* m : {&c.composition, &c.continuing})
            for (const auto& [code, n] : *m)
                if (!card.party(code)) return unknown_party(join_path(join_path(path, m == &c.composition ? "composition" : "continuing"), code), code);
        if (!c.control_before.empty() && c.control_before != kNoc && !card.party(c.control_before))
            return unknown_party(join_path(path, "control_before"), c.control_before);
        for (std::size_t wi = 0; wi < c.wards.size(); ++wi) {
            const Ward& w = c.wards[wi];
            std::string wp = index_path(join_path(path, "wards"), wi);
            if (!contests.insert(w.id).second)
                return Error{"duplicate_ward", join_path(wp, "id"), "a ward id used once on the card", "\"" + w.id + "\" again"};
            for (std::size_t s = 0; s < w.last_won.size(); ++s)
                if (!card.party(w.last_won[s])) return unknown_party(index_path(join_path(wp, "last_won"), s), w.last_won[s]);
        }
        for (std::size_t mi = 0; mi < c.mayors.size(); ++mi) {
            const Mayoralty& m = c.mayors[mi];
            std::string mp = index_path(join_path(path, "mayors"), mi);
            if (!contests.insert(m.id).second)
                return Error{"duplicate_ward", join_path(mp, "id"), "a contest id used once on the card", "\"" + m.id + "\" again"};
            if (!m.previous.empty() && !card.party(m.previous)) return unknown_party(join_path(mp, "previous"), m.previous);
        }
        if (c.size > 0) {
            int continuing = 0;
            for (const auto& [code, n] : c.continuing) continuing += n;
            int total = continuing + c.continuing_vacancies + c.seats_up();
            if (total != c.size)
                return Error{"seats_mismatch", join_path(path, "size"),
                             "size = continuing + continuing_vacancies + seats up (" + std::to_string(continuing) + " + " +
                                 std::to_string(c.continuing_vacancies) + " + " + std::to_string(c.seats_up()) + " = " +
                                 std::to_string(total) + ")",
                             std::to_string(c.size)};
        }
        if (c.control_before.empty()) c.control_before = derive_control(card, c);
    }
    return std::nullopt;
}

}  // namespace

Result<Card> parse_card(std::string_view json) {
    using R = Result<Card>;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(json.data(), json.size(), true).get(root); err != simdjson::SUCCESS)
        return R::fail({"invalid_json", "", "a valid UTF-8 JSON card", simdjson::error_message(err)});
    object o;
    if (root.get_object().get(o) != simdjson::SUCCESS)
        return R::fail({"wrong_type", "", "a JSON object", details::describe(root)});

    JsonReader r;
    Card card;
    std::string format;
    r.string(o, "", "format", format, true);
    if (!r.failed() && format != "declared-card/1")
        r.fail("bad_format", "format", "\"declared-card/1\"", "\"" + format + "\"");
    if (auto e = r.object(o, "", "election", true)) {
        r.string(*e, "election", "id", card.election.id, true);
        r.string(*e, "election", "name", card.election.name, false);
        r.string(*e, "election", "date", card.election.date, false, 32);
        r.boolean(*e, "election", "test", card.election.test, false);
    }
    if (auto parties = r.array(o, "", "parties", true)) {
        std::size_t i = 0;
        for (auto item : *parties) {
            std::string path = index_path("parties", i++);
            object po;
            if (item.get_object().get(po) != simdjson::SUCCESS) {
                r.fail("wrong_type", path, "an object", details::describe(item));
                break;
            }
            Party p;
            r.string(po, path, "code", p.code, true, 32);
            r.string(po, path, "name", p.name, false);
            read_strings(r, po, path, "aliases", p.aliases);
            r.string(po, path, "colour", p.colour, false, 32);
            r.boolean(po, path, "can_control", p.can_control, false);
            card.parties.push_back(std::move(p));
        }
    }
    if (auto councils = r.array(o, "", "councils", true)) {
        std::size_t i = 0;
        for (auto item : *councils) {
            std::string path = index_path("councils", i++);
            object co;
            if (item.get_object().get(co) != simdjson::SUCCESS) {
                r.fail("wrong_type", path, "an object", details::describe(item));
                break;
            }
            card.councils.push_back(read_council(r, co, path));
            if (r.failed()) break;
        }
    }
    if (r.failed()) return R::fail(r.error());
    card.index();
    if (auto e = check_card(card)) return R::fail(*e);
    return R{std::move(card), {}};
}

namespace {

boost::json::object party_map(const std::map<std::string, int>& m) {
    boost::json::object o;
    for (const auto& [code, n] : m) o[code] = n;
    return o;
}

boost::json::array strings(const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
}

}  // namespace

std::string card_to_json(const Card& card) {
    boost::json::object root;
    root["format"] = "declared-card/1";
    // Optional fields that are empty are left out: the reader refuses "".
    boost::json::object election{{"id", card.election.id}};
    if (!card.election.name.empty()) election["name"] = card.election.name;
    if (!card.election.date.empty()) election["date"] = card.election.date;
    election["test"] = card.election.test;
    root["election"] = std::move(election);
    boost::json::array parties;
    for (const auto& p : card.parties) {
        boost::json::object po{{"code", p.code}};
        if (!p.name.empty()) po["name"] = p.name;
        if (!p.aliases.empty()) po["aliases"] = strings(p.aliases);
        if (!p.colour.empty()) po["colour"] = p.colour;
        po["can_control"] = p.can_control;
        parties.push_back(std::move(po));
    }
    root["parties"] = std::move(parties);
    boost::json::array councils;
    for (const auto& c : card.councils) {
        boost::json::object co{{"id", c.id}};
        if (!c.ons.empty()) co["ons"] = c.ons;
        co["name"] = c.name;
        if (!c.region.empty()) co["region"] = c.region;
        co["size"] = c.size;
        co["cycle"] = to_string(c.cycle);
        co["composition"] = party_map(c.composition);
        co["vacancies"] = c.vacancies_before;
        if (!c.control_before.empty()) co["control_before"] = c.control_before;
        co["continuing"] = party_map(c.continuing);
        co["continuing_vacancies"] = c.continuing_vacancies;
        boost::json::array wards;
        for (const auto& w : c.wards) {
            boost::json::object wo{{"id", w.id}, {"name", w.name}};
            if (!w.ons.empty()) wo["ons"] = w.ons;
            wo["seats"] = w.seats;
            wo["last_won"] = strings(w.last_won);
            wo["notional"] = w.notional;
            wo["postponed"] = w.postponed;
            wards.push_back(std::move(wo));
        }
        co["wards"] = std::move(wards);
        boost::json::array mayors;
        for (const auto& m : c.mayors) {
            boost::json::object mo{{"id", m.id}, {"name", m.name}};
            if (!m.previous.empty()) mo["previous"] = m.previous;
            mayors.push_back(std::move(mo));
        }
        co["mayors"] = std::move(mayors);
        if (c.hex) co["hex"] = boost::json::object{{"q", c.hex->q}, {"r", c.hex->r}};
        councils.push_back(std::move(co));
    }
    root["councils"] = std::move(councils);
    return details::pretty_json(root);
}

}  // namespace declared
