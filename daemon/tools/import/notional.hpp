#pragma once
// A notional baseline (--notional): who won each seat up tonight the last time
// it was fought, as a newsroom estimates it on tonight's boundaries. One row
// per ward and party: council (name or ONS code), ward (name or ONS code),
// party, and optionally the seats that party notionally won there (default
// 1). Columns are found by meaning, as in every table of the importer; see
// docs/import.md ("Notional baseline").
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "daemon/tools/import/csv.hpp"

namespace declared::import {

struct NotionalWard {
    std::string council, council_ons, ward, ward_ons;
    std::vector<std::pair<std::string, int>> seats;  // party as written, seats; file order
    std::size_t line = 0;                             // first row
    int total() const;
};

// Throws ImportFailure naming the file, the line and the column on a bad count.
std::vector<NotionalWard> read_notional(const CsvTable& table);

}  // namespace declared::import
