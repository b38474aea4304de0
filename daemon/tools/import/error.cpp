#include "daemon/tools/import/error.hpp"

namespace declared::import {

std::string ImportError::what() const {
    std::string out = file.empty() ? std::string("input") : file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!column.empty()) out += "column '" + column + "': ";
    out += message;
    return out;
}

ImportFailure::ImportFailure(ImportError e) : std::runtime_error(e.what()), error_(std::move(e)) {}

void refuse(std::string file, std::size_t line, std::string column, std::string message) {
    throw ImportFailure(ImportError{std::move(file), line, std::move(column), std::move(message)});
}

}  // namespace declared::import
