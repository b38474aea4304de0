#include "ingest/read_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace declared {

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Result<std::string>::of_error({"unreadable_file", path, "a readable file", std::strerror(errno)});
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Result<std::string>::of_error({"unreadable_file", path, "a readable file", "a read error"});
    return {ss.str(), {}};
}

}  // namespace declared
