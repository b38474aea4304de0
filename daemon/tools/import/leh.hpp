#pragma once
// The Commons Library Local Elections Handbook candidate table: one row per
// candidate, grouped here into councils and wards in file order.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/tools/import/csv.hpp"

namespace declared::import {

struct LehCandidate {
    std::string name;   // "Surname I."
    std::string party;  // the source's abbreviation: LAB, CON, FIRST...
    std::string group;  // party group: CON, LAB, LD, GREEN, IND, OTH (may be empty)
    std::optional<std::int64_t> votes;
    bool elected = false;
    std::size_t line = 0;
};

struct LehWard {
    std::string ons, name;
    int seats = 0;  // Vacancies: seats up tonight (trusted)
    std::optional<std::int64_t> total_valid;
    std::vector<LehCandidate> candidates;
    std::size_t line = 0;  // first row
};

struct LehCouncil {
    std::string ons, name, type;
    std::string county;  // ceremonial county (COUNTYNAME), may be empty
    std::vector<LehWard> wards;
};

struct LehData {
    std::string file;
    int year = 0;  // from the Year column, 0 when absent
    std::vector<LehCouncil> councils;
    std::size_t rows = 0;          // candidate rows kept
    std::size_t skipped_rows = 0;  // outside --nation
    std::vector<std::string> skipped_councils;
};

// Whether an ONS code is of the nation: "england" (E...), "wales" (W...),
// "scotland" (S...) or "all"; a row without a code is kept.
bool in_nation(const std::string& ons, const std::string& nation);

// nation as in_nation, by the council's ONS code (else the ward's). The file
// may hold several tables (find_all); rows that are not data (blank, a title
// or a note) are passed over.
LehData read_leh_candidates(const CsvTable& table, const std::string& nation);

}  // namespace declared::import
