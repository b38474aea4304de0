#include "model/card_json.hpp"

#include <set>

#include <boost/json.hpp>
#include <simdjson.h>

#include "model/card_check.hpp"
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
    // Left out, the ballot id says: "local.x.abbey.by.2022-05-05".
    w.by_election = w.id.find(".by.") != std::string::npos;
    r.boolean(o, path, "by_election", w.by_election, false);
    if (!r.failed() && !w.last_won.empty() && static_cast<int>(w.last_won.size()) != w.seats)
        r.reject("last_won_count", join_path(path, "last_won"),
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
    std::int64_t size_before = 0;
    r.integer(o, path, "size_before", size_before, 0, kMaxSeats, false);
    c.size_before = static_cast<int>(size_before);
    std::string cycle = "unknown";
    r.string(o, path, "cycle", cycle, false);
    if (!r.failed()) {
        if (auto cy = cycle_from_string(cycle)) c.cycle = *cy;
        else r.reject("bad_value", join_path(path, "cycle"), "all-out, thirds, halves or unknown", "\"" + cycle + "\"");
    }
    read_party_map(r, o, path, "composition", c.composition);
    r.integer(o, path, "vacancies", vac, 0, kMaxSeats, false);
    c.vacancies_before = static_cast<int>(vac);
    r.string(o, path, "control_before", c.control_before, false);
    r.boolean(o, path, "new_council", c.new_council, false);
    read_party_map(r, o, path, "continuing", c.continuing);
    r.integer(o, path, "continuing_vacancies", cont_vac, 0, kMaxSeats, false);
    c.continuing_vacancies = static_cast<int>(cont_vac);
    if (auto wards = r.array(o, path, "wards", true)) {
        std::size_t i = 0;
        for (auto item : *wards) {
            std::string wp = index_path(join_path(path, "wards"), i++);
            object wo;
            if (item.get_object().get(wo) != simdjson::SUCCESS) {
                r.reject("wrong_type", wp, "an object", details::describe(item));
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
                r.reject("wrong_type", mp, "an object", details::describe(item));
                break;
            }
            Mayoralty m;
            r.string(mo, mp, "id", m.id, true);
            r.string(mo, mp, "name", m.name, true);
            r.string(mo, mp, "previous", m.previous, false);
            r.string(mo, mp, "kind", m.kind, false, 16);
            if (!r.failed() && m.kind != "mayor" && m.kind != "pcc")
                r.reject("bad_value", join_path(mp, "kind"), "mayor or pcc", "\"" + m.kind + "\"");
            c.mayors.push_back(std::move(m));
        }
    }
    return c;
}

}  // namespace

CardLoad load_card(std::string_view json) {
    CardLoad out;
    auto refuse = [&](Error e) {
        out.report.errors.push_back(std::move(e));
        return std::move(out);
    };
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(json.data(), json.size(), true).get(root); err != simdjson::SUCCESS)
        return refuse({"invalid_json", "", "a valid UTF-8 JSON card", simdjson::error_message(err)});
    object o;
    if (root.get_object().get(o) != simdjson::SUCCESS)
        return refuse({"wrong_type", "", "a JSON object", details::describe(root)});

    JsonReader r;
    Card card;
    std::string format;
    r.string(o, "", "format", format, true);
    if (!r.failed() && format != "declared-card/1")
        r.reject("bad_format", "format", "\"declared-card/1\"", "\"" + format + "\"");
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
                r.reject("wrong_type", path, "an object", details::describe(item));
                break;
            }
            Party p;
            r.string(po, path, "code", p.code, true, 32);
            r.string(po, path, "name", p.name, false);
            read_strings(r, po, path, "aliases", p.aliases);
            r.string(po, path, "colour", p.colour, false, 32);
            r.string(po, path, "label", p.label, false, 40);
            // Left out, it follows the name: independents are no bloc.
            p.can_control = !looks_independent(p);
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
                r.reject("wrong_type", path, "an object", details::describe(item));
                break;
            }
            card.councils.push_back(read_council(r, co, path));
            if (r.failed()) break;
        }
    }
    // A field that cannot be read stops the reading: what follows it is unknown.
    if (r.failed()) return refuse(r.error());
    out.report = check_card(card);
    if (out.report.ok()) out.card = std::move(card);
    return out;
}

Result<Card> parse_card(std::string_view json) {
    CardLoad load = load_card(json);
    if (!load.card) return Result<Card>::of_error(load.report.errors.front());
    return Result<Card>{std::move(load.card), {}};
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
        if (!p.label.empty()) po["label"] = p.label;
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
        if (c.size_before > 0) co["size_before"] = c.size_before;
        co["cycle"] = to_string(c.cycle);
        co["composition"] = party_map(c.composition);
        co["vacancies"] = c.vacancies_before;
        if (!c.control_before.empty()) co["control_before"] = c.control_before;
        if (c.new_council) co["new_council"] = true;
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
            if (w.by_election) wo["by_election"] = true;
            wards.push_back(std::move(wo));
        }
        co["wards"] = std::move(wards);
        boost::json::array mayors;
        for (const auto& m : c.mayors) {
            boost::json::object mo{{"id", m.id}, {"name", m.name}};
            if (!m.previous.empty()) mo["previous"] = m.previous;
            if (m.kind != "mayor") mo["kind"] = m.kind;
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
