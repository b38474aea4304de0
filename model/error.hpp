#pragma once
// An input error as a value: what was wrong, where, and why. Every input path
// (card, declaration, journal, HTTP) reports through this one shape.
#include <string>

namespace declared {

struct Error {
    std::string code;      // stable machine-readable reason, e.g. "unknown_ward"
    std::string path;      // field path into the input, e.g. "candidates[2].votes"
    std::string expected;  // what would have been accepted
    std::string got;       // what came (abbreviated)

    // "candidates[2].votes: expected a non-negative integer, got -5"
    std::string message() const;
};

}  // namespace declared

#include <optional>

namespace declared {

// A value or the error that prevented it.
template <class T>
struct Result {
    std::optional<T> value;
    Error error;

    bool ok() const { return value.has_value(); }
    static Result of_error(Error e) { return Result{std::nullopt, std::move(e)}; }
};

}  // namespace declared
