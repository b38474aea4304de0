#include "model/card_check.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "model/control.hpp"
#include "model/details/json_reader.hpp"

namespace declared {

namespace {

using details::index_path;
using details::join_path;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return out;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

class Checker {
public:
    explicit Checker(Card& card) : card_(card) {}

    CardReport run() {
        parties();
        card_.index();
        std::set<std::string> councils;
        for (std::size_t ci = 0; ci < card_.councils.size(); ++ci) {
            Council& c = card_.councils[ci];
            const std::string path = index_path("councils", ci);
            if (!councils.insert(c.id).second)
                error("duplicate_council", join_path(path, "id"), "a unique council id", in_quotes(c.id) + " again");
            council(c, path);
        }
        return std::move(report_);
    }

private:
    void error(std::string code, std::string path, std::string expected, std::string got) {
        report_.errors.push_back(Error{std::move(code), std::move(path), std::move(expected), std::move(got)});
    }
    void warning(std::string code, std::string path, std::string expected, std::string got) {
        report_.warnings.push_back(Error{std::move(code), std::move(path), std::move(expected), std::move(got)});
    }

    void parties() {
        std::set<std::string> names;
        for (std::size_t i = 0; i < card_.parties.size(); ++i) {
            const Party& p = card_.parties[i];
            const std::string path = index_path("parties", i);
            if (!names.insert(p.code).second)
                error("duplicate_party", join_path(path, "code"), "a code or alias used once", in_quotes(p.code) + " again");
            for (std::size_t a = 0; a < p.aliases.size(); ++a)
                if (!names.insert(p.aliases[a]).second)
                    error("duplicate_party", index_path(join_path(path, "aliases"), a), "a code or alias used once",
                          in_quotes(p.aliases[a]) + " again");
            // Independents as such are never a bloc; a registered local group
            // (Ashfield Independents) may be, so only the plain spellings warn.
            const std::string code = lower(p.code), name = lower(p.name);
            if (p.can_control && (code == "ind" || code == "independent" || name == "independent" || name == "ind"))
                warning("independent_can_control", join_path(path, "can_control"),
                        "false for independents (several of them are no controlling bloc)", "true");
        }
    }

    // A party reference becomes the party's code; an unknown one is an error
    // and is left as it is.
    void resolve(std::string& ref, const std::string& path) {
        if (const Party* p = card_.party(ref))
            ref = p->code;
        else
            error("unknown_party", path, "a party code on the card", in_quotes(ref));
    }

    // Seat maps keyed by alias and code alike add up under the code.
    void resolve_map(std::map<std::string, int>& m, const std::string& path) {
        std::map<std::string, int> out;
        for (const auto& [key, n] : m) {
            std::string code = key;
            resolve(code, join_path(path, key));
            out[code] += n;
        }
        m = std::move(out);
    }

    void council(Council& c, const std::string& path) {
        resolve_map(c.composition, join_path(path, "composition"));
        resolve_map(c.continuing, join_path(path, "continuing"));
        if (!c.control_before.empty() && c.control_before != kNoc) resolve(c.control_before, join_path(path, "control_before"));
        for (std::size_t wi = 0; wi < c.wards.size(); ++wi) {
            Ward& w = c.wards[wi];
            const std::string wp = index_path(join_path(path, "wards"), wi);
            if (!contests_.insert(w.id).second)
                error("duplicate_ward", join_path(wp, "id"), "a ward id used once on the card", in_quotes(w.id) + " again");
            for (std::size_t s = 0; s < w.last_won.size(); ++s)
                resolve(w.last_won[s], index_path(join_path(wp, "last_won"), s));
        }
        for (std::size_t mi = 0; mi < c.mayors.size(); ++mi) {
            Mayoralty& m = c.mayors[mi];
            const std::string mp = index_path(join_path(path, "mayors"), mi);
            if (!contests_.insert(m.id).second)
                error("duplicate_ward", join_path(mp, "id"), "a contest id used once on the card", in_quotes(m.id) + " again");
            if (!m.previous.empty()) resolve(m.previous, join_path(mp, "previous"));
        }
        seats(c, path);
        if (c.new_council) {
            // Nobody controlled a council that did not exist.
            if (!c.control_before.empty() || !c.composition.empty())
                warning("new_council_before", join_path(path, c.control_before.empty() ? "composition" : "control_before"),
                        "no control or composition before a new council's first election", "some: ignored");
            c.control_before.clear();
            c.composition.clear();
            return;
        }
        eve_of_poll(c, path);
        if (c.control_before.empty()) c.control_before = derive_control_before(card_, c);
        if (c.control_before.empty() && c.size > 0 && c.holds_election())
            warning("control_before_unknown", join_path(path, "control_before"),
                    "a party code or NOC, or a composition to derive it from",
                    "nothing: the outcome will read as unknown_before");
    }

    // A card may leave the eve-of-poll composition out (control before is then
    // given or unknown); where it is given, it must account for every seat
    // before the election, and hold every councillor who continues.
    void eve_of_poll(const Council& c, const std::string& path) {
        if (c.composition.empty()) return;
        int held = 0;
        for (const auto& [code, n] : c.composition) held += n;
        if (c.eve_size() > 0 && held + c.vacancies_before != c.eve_size())
            error("composition_mismatch", join_path(path, "composition"),
                  "composition + vacancies = size before the election (" + std::to_string(c.eve_size()) + ")",
                  std::to_string(held) + " + " + std::to_string(c.vacancies_before) + " = " +
                      std::to_string(held + c.vacancies_before));
        for (const auto& [code, n] : c.continuing) {
            auto it = c.composition.find(code);
            const int eve = it == c.composition.end() ? 0 : it->second;
            if (n > eve)
                error("continuing_exceeds_composition", join_path(join_path(path, "continuing"), code),
                      "at most " + code + "'s " + std::to_string(eve) + " seats on the eve of poll", std::to_string(n));
        }
    }

    void seats(const Council& c, const std::string& path) {
        if (c.size <= 0) return;
        int continuing = 0;
        for (const auto& [code, n] : c.continuing) continuing += n;
        const int total = continuing + c.continuing_vacancies + c.seats_up();
        if (total != c.size)
            error("seats_mismatch", join_path(path, "size"),
                  "size = continuing + continuing_vacancies + seats up (" + std::to_string(continuing) + " + " +
                      std::to_string(c.continuing_vacancies) + " + " + std::to_string(c.seats_up()) + " = " +
                      std::to_string(total) + ")",
                  std::to_string(c.size));
    }

    Card& card_;
    CardReport report_;
    std::set<std::string> contests_;
};

}  // namespace

bool looks_independent(const Party& p) {
    const std::string code = lower(p.code), name = lower(p.name);
    return code == "ind" || code == "independent" || code == "independents" || name == "ind" ||
           name.find("independent") != std::string::npos;
}

std::string derive_control_before(const Card& card, const Council& c) {
    if (c.eve_size() <= 0 || c.composition.empty()) return {};
    const int m = control::majority(c.eve_size(), c.vacancies_before);
    for (const auto& [code, seats] : c.composition) {
        const Party* p = card.party(code);
        if (p && p->can_control && seats >= m) return p->code;
    }
    return std::string(kNoc);
}

CardReport check_card(Card& card) { return Checker(card).run(); }

}  // namespace declared
