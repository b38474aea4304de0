#pragma once
// The night as spreadsheets: results.csv (one row per candidate in every
// declared contest) and councils.csv (one row per council, seats by party).
// One writer for GET /v1/export/*.csv and `declared replay --csv DIR`, built
// from the same state the read API serves (Tally::council_json and
// summary_json), so a desk's spreadsheet says what /v1/councils says.
// RFC 4180: every text field is quoted by libcsv, rows end in CRLF, the
// first row names the columns.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "model/error.hpp"
#include "model/tally.hpp"

namespace declared {

// The declaration time ("at") of the event with this seq, or "" when it is no
// longer known.
using DeclaredAt = std::function<std::string(std::uint64_t seq)>;

// Columns: council_id, council, council_ons, region, contest (ward|mayor),
// ward_id, ward, ward_ons, revision, candidate, party, party_name, votes,
// elected (true|false), share (per cent of the contest's votes, two
// decimals), declared_at. Councils and contests in card order, candidates in
// the order the result reports them.
std::string results_csv(const Tally& tally, const DeclaredAt& declared_at);

// Columns: council_id, council, ons, region, status, control,
// control_before, outcome, wards_declared, wards_total, seats_declared,
// seats_total, then one column per party on the card (its code): the seats
// it holds now. Councils in card order.
std::string councils_csv(const Tally& tally);

// "at" of one event's JSON ("" when absent or not JSON).
std::string event_at(std::string_view event_json);

// Writes both files into dir (created if absent). Nothing is left half
// written: each file goes to a temporary name first and is renamed.
std::optional<Error> write_csv_files(const std::string& dir, const Tally& tally, const DeclaredAt& declared_at);

}  // namespace declared
