#pragma once
// Internal: reads fields out of simdjson DOM objects into model types, keeping
// the field path so that the first problem becomes a precise Error. Calls after
// the first failure do nothing, so a parser reads as a flat list of fields.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "model/error.hpp"

namespace declared::details {

// Short, printable rendering of a JSON value for "got ...".
std::string describe(simdjson::dom::element e);
std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t i);

// Where a value sits: parent path plus a key or an index. Spelled out as a
// string only when something is wrong there, so the good path allocates nothing.
struct Where {
    std::string_view parent;
    std::string_view key;
    std::size_t index = static_cast<std::size_t>(-1);
    std::string str() const;
};

// The rule every text field follows: non-empty, at most max_len bytes, valid
// UTF-8. nullopt when s follows it.
std::optional<Error> text_error(std::string_view path, std::string_view s, std::size_t max_len = 256);

class JsonReader {
public:
    bool failed() const { return error_.has_value(); }
    const Error& error() const { return *error_; }
    void reject(std::string code, std::string path, std::string expected, std::string got);

    // Rejects keys not in `allowed` (a typo must not silently lose data).
    void only_fields(simdjson::dom::object o, std::string_view path, std::initializer_list<std::string_view> allowed);

    // Each reads o[key]; required fields that are absent fail with code
    // "missing_field". Optional absent (or null, where allowed) leaves out as is.
    void string(simdjson::dom::object o, std::string_view path, std::string_view key, std::string& out,
                bool required, std::size_t max_len = 256);
    void integer(simdjson::dom::object o, std::string_view path, std::string_view key, std::int64_t& out,
                 std::int64_t min, std::int64_t max, bool required);
    void optional_integer(simdjson::dom::object o, std::string_view path, std::string_view key,
                          std::optional<std::int64_t>& out, std::int64_t min, std::int64_t max);
    void boolean(simdjson::dom::object o, std::string_view path, std::string_view key, bool& out, bool required);

    // The value at key as an array/object; nullopt (and a failure if required) when absent or mistyped.
    std::optional<simdjson::dom::array> array(simdjson::dom::object o, std::string_view path, std::string_view key,
                                              bool required);
    std::optional<simdjson::dom::object> object(simdjson::dom::object o, std::string_view path, std::string_view key,
                                                bool required);

    // Converting one element (used for array items and map values).
    void integer_value(simdjson::dom::element e, Where where, std::int64_t& out, std::int64_t min, std::int64_t max);
    void string_value(simdjson::dom::element e, Where where, std::string& out, std::size_t max_len = 256);

private:
    std::optional<simdjson::dom::element> field(simdjson::dom::object o, std::string_view path, std::string_view key,
                                                bool required);
    std::optional<Error> error_;
};

}  // namespace declared::details
