#pragma once
// The election card: everything known before the first count. Councils, their
// wards and seats, who holds what (eve of poll), who won each seat last time it
// was fought, and which parties can hold control. See docs/formats.md.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace declared {

inline constexpr std::string_view kNoc = "NOC";

struct Election {
    std::string id;    // Democracy Club style: "local.2022-05-05"
    std::string name;
    std::string date;  // ISO date of polling day
    bool test = false; // rehearsal data: every event says so
};

struct Party {
    std::string code;                  // short, stable: LAB, CON, LD, GREEN, IND...
    std::string name;
    std::vector<std::string> aliases;  // other spellings that map to this code
    std::string colour;                // "#rrggbb", may be empty
    bool can_control = true;           // independents and "others" buckets cannot
    std::string label{};               // short name for alert text ("Canvey Island Ind"); empty: the code
};

enum class Cycle { all_out, thirds, halves, unknown };

struct Ward {
    std::string id;    // ballot id: "local.reading.abbey.2022-05-05"
    std::string name;
    std::string ons;   // GSS code, may be empty
    int seats = 1;     // seats up tonight
    // Party that won each seat up tonight the last time it was fought (size ==
    // seats, or empty when unknown). Seat gains are counted against this.
    std::vector<std::string> last_won;
    bool notional = false;   // last_won is an estimate on new boundaries
    bool postponed = false;  // no poll tonight: seats vacant, not winnable
    // Fills a casual vacancy (Democracy Club ids put ".by" before the date):
    // its seat is a seat on the council, but it is reported on its own, not
    // as one of the council's wards, and not in the national councillors.
    bool by_election = false;
};

struct Mayoralty {
    std::string id;        // "mayor.croydon.2022-05-05"
    std::string name;      // "Mayor of Croydon"
    std::string previous;  // party of the previous holder, may be empty (new post)
    std::string kind = "mayor";  // "mayor" or "pcc" (police and crime commissioner)
};

// A council's cell on a hex map of the night (HexJSON, "odd-r" layout:
// odd rows are shifted right by half a cell).
struct HexPosition {
    int q = 0;  // column
    int r = 0;  // row
};

struct Council {
    std::string id;      // "local.reading.2022-05-05"
    std::string ons;     // GSS code
    std::string name;
    std::string region;
    int size = 0;        // total seats on the council; 0 = unknown (no control arithmetic)
    int size_before = 0; // seats on the eve of poll when a new warding changed the size; 0 = size
    Cycle cycle = Cycle::unknown;
    // Eve of poll: seats held by party, and vacant seats.
    std::map<std::string, int> composition;
    int vacancies_before = 0;
    std::string control_before;  // party code or "NOC"; empty = unknown
    // Holding its first election (a new unitary): no control before, and its
    // outcome reads as a win ("LAB WIN (new council)").
    bool new_council = false;
    // Councillors not up tonight who keep their seats, by party code, and
    // continuing seats that are empty. size == continuing + vacant + seats up.
    std::map<std::string, int> continuing;
    int continuing_vacancies = 0;
    std::vector<Ward> wards;
    std::vector<Mayoralty> mayors;  // single-winner contests held with this council
    std::optional<HexPosition> hex;  // where the page's map draws it; absent: not on the map

    int seats_up() const;  // sum of ward seats (postponed included)
    // Whether the council holds its ordinary election tonight (a ward that is
    // not a by-election). Only those are council results; a council whose
    // only contest is a mayoralty or a by-election is not.
    bool holds_election() const;
    // The size eve-of-poll control is judged on.
    int eve_size() const { return size_before > 0 ? size_before : size; }
};

struct Card {
    Election election;
    std::vector<Party> parties;
    std::vector<Council> councils;

    // Lookups; valid after index() and until the card is changed.
    void index();
    const Party* party(std::string_view code_or_alias) const;
    // How alert text names a party: its label, or its code.
    std::string_view display(std::string_view code) const;
    const Council* council(std::string_view id) const;
    // Ward by id within its council; nullptr when the ward is not on that council.
    const Ward* ward(const Council& c, std::string_view ward_id) const;
    const Mayoralty* mayor(const Council& c, std::string_view contest_id) const;
    std::size_t council_index(const Council& c) const { return static_cast<std::size_t>(&c - councils.data()); }
    std::size_t ward_index(const Council& c, const Ward& w) const { return static_cast<std::size_t>(&w - c.wards.data()); }

private:
    // Transparent: lookups by string_view hash the view, with no std::string
    // built (and, for ids past the small-string size, no allocation) per call.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    template <class V>
    using Index = std::unordered_map<std::string, V, Hash, std::equal_to<>>;
    Index<std::size_t> party_by_name_;  // codes and aliases
    Index<std::size_t> council_by_id_;
    Index<std::pair<std::size_t, std::size_t>> ward_by_id_;  // council, ward
};

std::string_view to_string(Cycle c);
std::optional<Cycle> cycle_from_string(std::string_view s);

}  // namespace declared
