#pragma once
// `declared import leh`: the Local Elections Handbook candidate table (plus
// optional council table, 2018 baseline, notional baseline, roster and party names) into an
// election card and one declaration per ward. Every derivation is described
// in docs/import.md; every fix-up is a warning in the report.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/tools/import/csv.hpp"
#include "daemon/tools/import/error.hpp"
#include "daemon/tools/import/leh.hpp"
#include "daemon/tools/import/times.hpp"
#include "model/card.hpp"
#include "model/declaration.hpp"

namespace declared::import {

struct ImportOptions {
    std::string candidates;   // LEH candidate table (required)
    std::string councils;     // CBP-9545 council table, optional
    std::string baseline;     // LEAP results of the last time (no header), optional
    std::string roster;       // Open Council Data councillors, optional
    std::string party_names;  // LEH party names; empty: party-names.csv beside the candidates, if there
    std::string wards;        // LEH ward table (electorate, turnout); empty: wards.csv beside the candidates, if there
    std::string notional;     // notional baseline (ward, party, seats), optional; wins over the LEAP baseline where it covers a ward
    std::vector<std::pair<std::string, std::string>> postponed;  // council name, ward name
    std::uint64_t seed = kDefaultSeed;
    std::string date;               // polling day; empty: first Thursday of May of the table's Year
    std::string nation = "england"; // england, wales, scotland, all
};

// Splits "Kingston upon Thames:New Malden Village"; nullopt without a ':'.
std::optional<std::pair<std::string, std::string>> parse_postponed(const std::string& s);

struct ImportReport {
    std::size_t councils = 0, wards = 0, seats = 0, candidates = 0, declarations = 0;
    std::size_t postponed_wards = 0, postponed_seats = 0, uncontested = 0, lots = 0, parties = 0;
    std::size_t wards_with_turnout = 0;
    std::size_t councils_sized = 0, baseline_wards = 0, baseline_notional = 0, daytime_councils = 0;
    std::size_t notional_wards = 0, baseline_seats = 0;  // wards given by --notional; seats up with any baseline
    std::string first_time, last_time;
    std::vector<std::string> notes;     // what was derived and from what
    std::vector<std::string> warnings;  // clamps, fix-ups, data errors skipped

    std::string text() const;  // the human-readable import report
};

struct ImportInputs {
    CsvTable candidates;
    std::optional<CsvTable> councils, baseline, roster, party_names, wards, notional;
};

struct ImportResult {
    Card card;
    std::vector<Declaration> declarations;  // sorted by declared_at, then id
    ImportReport report;
};

// Builds the card and declarations from parsed tables. Throws ImportFailure
// on malformed input (a missing column, a non-numeric count...).
ImportResult build_import(const ImportInputs& in, const ImportOptions& opt);
// The same from candidates already read (a LEAP night: leap_night.hpp); in.candidates names the file in messages.
ImportResult build_import(const ImportInputs& in, const ImportOptions& opt, const LehData& leh);

// Reads the files named in opt and builds. Throws ImportFailure.
ImportResult run_import(const ImportOptions& opt);

// Writes DIR/card.json and DIR/declarations.jsonl (each to a temporary file,
// then renamed into place). Throws ImportFailure when it cannot.
void write_import(const ImportResult& result, const std::string& dir);

}  // namespace declared::import
