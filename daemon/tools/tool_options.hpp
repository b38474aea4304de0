#pragma once
// The one way a tool reads its command line: program_options over `parser`
// (every option the tool takes). --help prints `shown` (exit 0); a bad
// argument says what was wrong, then `shown`, on stderr (exit 2).
#include <optional>
#include <string_view>

#include <boost/program_options.hpp>

namespace declared {

// The exit code to leave with, or nothing to go on with vm filled.
std::optional<int> read_options(std::string_view command, boost::program_options::command_line_parser parser,
                                const boost::program_options::options_description& shown,
                                boost::program_options::variables_map& vm);

}  // namespace declared
