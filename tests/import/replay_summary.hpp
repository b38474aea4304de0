#pragma once
// Test helper: an imported night replayed through the tally as the daemon
// would read it (the card and every declaration through their codecs), and
// the tally's summary. Fails the test when the card does not load or a
// declaration is refused.
#include <boost/json.hpp>

#include "daemon/tools/import/importer.hpp"

namespace declared::testing {

boost::json::object replay_summary(const import::ImportResult& r);

// summary[table][party].count, 0 when the party is not in the table.
std::int64_t summary_count(const boost::json::object& summary, const char* table, const std::string& party);

}  // namespace declared::testing
