#pragma once
// `declared import leap FILE`: a whole night from a LEAP per-year CSV alone
// (no header: council, council ONS, ward, ward ONS, candidate, party, votes,
// elected), for any year LEAP covers. LEAP gives who stood, their votes and
// who was elected, but no council sizes, continuing councillors or eve-of-poll
// composition: every council is written with size unknown (so no control
// arithmetic), and a replay reports seats and votes. See docs/import.md.
#include <string>

#include "daemon/tools/import/csv.hpp"
#include "daemon/tools/import/importer.hpp"
#include "daemon/tools/import/leh.hpp"

namespace declared::import {

// The LEAP rows as the candidate table the importer builds from: one ward per
// council and ward (seats = candidates elected), LEAP party codes as the
// Handbook's (C -> CON, Lab -> LAB, Grn -> GREEN, Ind -> IND...), and the
// party group (CON, LAB, LD, GREEN, IND, else OTH). Throws ImportFailure.
LehData leh_from_leap(const CsvTable& leap, const std::string& nation);

// Polling day from a LEAP file name ("leap-2018-05-03.csv" -> "2018-05-03");
// empty when the name carries none.
std::string date_from_leap_name(const std::string& path);

// Reads opt.candidates as a LEAP file and builds the night (opt.date, else the
// file name's date). Throws ImportFailure.
ImportResult run_leap_import(const ImportOptions& opt);

}  // namespace declared::import
