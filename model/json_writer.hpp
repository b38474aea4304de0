#pragma once
// A forward-only JSON writer for event bodies and state documents. Every
// string and key is escaped by Boost.JSON's serializer (never by hand);
// integers are formatted with std::to_chars; the writer only places the
// punctuation. Building a boost::json DOM per event cost several times more
// than the whole rest of applying a declaration, and events are written once
// and never read back here, so they are streamed. Tests parse every event
// with boost::json::parse.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/serializer.hpp>

namespace declared {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(&out) {}
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    // Starts a new document (the output string is the caller's to clear).
    void reset() { need_comma_ = false; }

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    // A key written in our own source: plain ASCII by construction (checked in
    // debug builds), so it is copied without a trip through the serializer.
    template <std::size_t N>
    JsonWriter& key(const char (&literal)[N]) {
        return literal_key(std::string_view(literal, N - 1));
    }

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(std::uint64_t n);
    JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
    JsonWriter& value(bool b);
    JsonWriter& null();
    // An empty string is written as null (unknown).
    JsonWriter& string_or_null(std::string_view s) { return s.empty() ? null() : value(s); }
    JsonWriter& int_or_null(const std::optional<std::int64_t>& n) { return n ? value(*n) : null(); }

    // A whole "key":value member serialized earlier by a JsonWriter (cached
    // fragments that change rarely), placed with the right separator.
    JsonWriter& member(std::string_view serialized);

    // key(k).value(v) in one call.
    template <class T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }
    template <std::size_t N, class T>
    JsonWriter& field(const char (&literal)[N], const T& v) {
        key(literal);
        return value(v);
    }

private:
    JsonWriter& literal_key(std::string_view k);
    void separate();
    void escaped(std::string_view s);

    std::string* out_;
    bool need_comma_ = false;
    boost::json::serializer sr_;
};

}  // namespace declared
