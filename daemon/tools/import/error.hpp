#pragma once
// Errors of the importer: a malformed input file stops the import with an
// error naming the file, the line and the column; nothing is written.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace declared::import {

struct ImportError {
    std::string file;    // path as given on the command line
    std::size_t line = 0;  // 1-based line of the file, 0 when not about one line
    std::string column;  // column name as found in the header, may be empty
    std::string message;

    // "candidates.csv:17: column 'Votes': expected a whole number, got 'abc'"
    std::string what() const;
};

// Thrown inside the importer, caught at its edge and turned into an ImportError.
class ImportFailure : public std::runtime_error {
public:
    explicit ImportFailure(ImportError e);
    const ImportError& error() const { return error_; }

private:
    ImportError error_;
};

// Stops the import: throws ImportFailure, caught at the importer's edge.
[[noreturn]] void refuse(std::string file, std::size_t line, std::string column, std::string message);

}  // namespace declared::import
