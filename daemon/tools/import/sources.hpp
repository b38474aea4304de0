#pragma once
// The optional tables beside the candidate table: CBP-9545 councils, the LEAP
// 2018 baseline, the Open Council Data roster and the LEH party names.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/tools/import/csv.hpp"

namespace declared::import {

// Seats by CBP group (CON, LAB, LD, GRN, OTH) and control, one point in time.
struct Composition {
    bool known = false;  // "-" in the table (a new council) is unknown
    std::map<std::string, int> seats;
    int total = 0;
    std::string control;  // CON, LAB, LD, GRN, OTH, NOC as the table writes it
};

struct CbpCouncil {
    std::string ons, name, region, type, cycle_label;
    bool boundary_change = false, new_council = false;
    Composition after_2018, after_2022;
    int vacant_2022 = 0;
    std::size_t line = 0;
};

std::vector<CbpCouncil> read_cbp_councils(const CsvTable& table);

struct LeapCandidate {
    std::string name, party;  // party: LEAP's code ("C", "Lab", "LD", "Grn", "Ind"...)
    std::int64_t votes = 0;
    bool elected = false;
};

struct LeapWard {
    std::string council, council_ons, ward, ward_ons;
    std::vector<LeapCandidate> candidates;  // file order
    std::size_t line = 0;
};

// No header row: council, council ONS, ward, ward ONS, candidate, party, votes, elected.
std::vector<LeapWard> read_leap_baseline(const CsvTable& table);

struct RosterEntry {
    std::string council, ward, name, next_election, party;
    std::size_t line = 0;
};

std::vector<RosterEntry> read_roster(const CsvTable& table);

struct PartyName {
    std::string abbreviation, name;
    int candidates = 0;
};

std::vector<PartyName> read_party_names(const CsvTable& table);

// The LEH ward table: electorate and turnout per ward (the votes by party
// beside them are not read: the candidate table has them).
struct WardTurnout {
    std::string council, ward_ons, ward;
    std::optional<std::int64_t> electorate;
    std::optional<std::int64_t> turnout_permille;  // "24.3" (%) -> 243
    std::size_t line = 0;
};

std::vector<WardTurnout> read_ward_turnout(const CsvTable& table);

}  // namespace declared::import
