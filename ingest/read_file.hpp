#pragma once
// Whole-file reads for the command-line tools, with errors as values.
#include <string>

#include "model/error.hpp"

namespace declared {

Result<std::string> read_file(const std::string& path);

}  // namespace declared
