#pragma once
// A forward-only JSON writer for event bodies and state documents. Every
// string and key that needs escaping is escaped by Boost.JSON's serializer
// (never by hand); strings that need none are copied; integers are formatted
// with std::to_chars; the writer only places the punctuation. Building a
// boost::json DOM per event cost several times more than the whole rest of
// applying a declaration, and events are written once and never read back
// here, so they are streamed. Tests parse every event with boost::json::parse.
//
// The writer owns its buffer and keeps it between documents (clear()), so a
// night of events reuses one allocation. Each token makes one capacity check
// and copies its bytes; the small, hot calls are inline because a night
// writes a few hundred tokens per declaration.
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/serializer.hpp>

namespace declared {

// True when JSON needs no escape for s: printable ASCII other than '"' and
// '\\'. Nearly every key and card string is like that, and for them the
// serializer's set-up costs more than the copy; anything else goes to
// Boost.JSON. Eight bytes at a time, since most of what the writer does is
// this test: a byte is flagged when it is below 0x20, above 0x7e, or equal
// to '"' or '\\' (the "has less / has more / has zero byte" word tricks,
// which never miss; a false flag can only follow a true one).
inline bool json_plain(std::string_view s) {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = ones * 0x80;
    auto below = [&](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & highs; };
    auto above = [&](std::uint64_t x, std::uint64_t n) { return ((x + ones * (127 - n)) | x) & highs; };
    const char* p = s.data();
    std::size_t left = s.size();
    for (; left >= 8; p += 8, left -= 8) {
        std::uint64_t x;
        std::memcpy(&x, p, 8);
        if (below(x, 0x20) | above(x, 0x7e) | below(x ^ (ones * '"'), 1) | below(x ^ (ones * '\\'), 1)) return false;
    }
    for (; left > 0; ++p, --left) {
        const auto c = static_cast<unsigned char>(*p);
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
    }
    return true;
}

class JsonWriter {
public:
    JsonWriter() = default;
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    // The document written so far; valid until the next write or clear().
    std::string_view view() const { return {buf_.get(), len_}; }
    std::string str() const { return std::string(view()); }
    // Starts a new document, keeping the buffer.
    void clear() {
        len_ = 0;
        need_comma_ = false;
    }

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    JsonWriter& key(std::string_view k) {
        string(k);
        put(':');
        need_comma_ = false;
        return *this;
    }
    // A key written in our own source: plain ASCII by construction (checked in
    // debug builds), so the separator, quotes and colon go out in one copy.
    template <std::size_t N>
    JsonWriter& key(const char (&literal)[N]) {
        constexpr std::size_t n = N - 1;
        assert_plain_literal(std::string_view(literal, n));
        char* p = room(n + 4);
        *p = ',';
        p += need_comma_;
        *p++ = '"';
        std::memcpy(p, literal, n);  // constant size: inlined
        p += n;
        *p++ = '"';
        *p++ = ':';
        need_comma_ = false;
        return done(p);
    }

    JsonWriter& value(std::string_view s) {
        string(s);
        need_comma_ = true;
        return *this;
    }
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n) { return number(n); }
    JsonWriter& value(std::uint64_t n) { return number(n); }
    JsonWriter& value(int n) { return number(n); }
    JsonWriter& value(bool b) { return b ? json("true") : json("false"); }
    JsonWriter& null() { return json("null"); }
    // An empty string is written as null (unknown).
    JsonWriter& string_or_null(std::string_view s) { return s.empty() ? null() : value(s); }
    JsonWriter& int_or_null(const std::optional<std::int64_t>& n) { return n ? value(*n) : null(); }

    // A value serialized earlier (a quoted string from quoted(), a number,
    // a whole object), placed with the right separator.
    JsonWriter& json(std::string_view serialized) {
        char* p = room(serialized.size() + 1);
        *p = ',';
        p += need_comma_;
        if (!serialized.empty()) std::memcpy(p, serialized.data(), serialized.size());
        need_comma_ = true;
        return done(p + serialized.size());
    }
    // A key serialized earlier as "key": (quoted() plus the colon).
    JsonWriter& json_key(std::string_view serialized) {
        json(serialized);
        need_comma_ = false;
        return *this;
    }
    // A whole "key":value member serialized earlier (cached fragments that
    // change rarely), placed with the right separator.
    JsonWriter& member(std::string_view serialized) { return json(serialized); }
    // Pre-rendered JSON text copied verbatim, ending where a value is expected
    // (after a colon or an opening bracket): the event envelope's constant
    // stretches. The caller places any separator inside the text.
    JsonWriter& raw(std::string_view text) {
        char* p = room(text.size());
        if (!text.empty()) std::memcpy(p, text.data(), text.size());
        need_comma_ = false;
        return done(p + text.size());
    }
    // The digits of n, with no separator: a number inside a raw stretch.
    JsonWriter& digits(std::uint64_t n) {
        char* p = room(24);
        return done(std::to_chars(p, p + 24, n).ptr);
    }

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

    // s as a JSON string with its quotes: escaped by Boost.JSON when it needs
    // escaping. For fragments rendered once and placed with json().
    static std::string quoted(std::string_view s);

private:
    // At least n writable bytes at the end of the document.
    char* room(std::size_t n) {
        if (cap_ - len_ < n) grow(n);
        return buf_.get() + len_;
    }
    JsonWriter& done(char* end) {
        len_ = static_cast<std::size_t>(end - buf_.get());
        return *this;
    }
    void put(char c) { *room(1) = c, ++len_; }
    JsonWriter& open(char c) {
        char* p = room(2);
        *p = ',';
        p += need_comma_;
        *p++ = c;
        need_comma_ = false;
        return done(p);
    }
    JsonWriter& close(char c) {
        put(c);
        need_comma_ = true;
        return *this;
    }
    template <class Int>
    JsonWriter& number(Int n) {
        char* p = room(25);
        *p = ',';
        p += need_comma_;
        need_comma_ = true;
        // Most numbers in events are seat counts: one or two digits.
        if (static_cast<std::uint64_t>(n) < 100) {
            const auto u = static_cast<unsigned>(n);
            if (u >= 10) *p++ = static_cast<char>('0' + u / 10);
            *p++ = static_cast<char>('0' + u % 10);
            return done(p);
        }
        return done(std::to_chars(p, p + 24, n).ptr);
    }
    // A string with its separator and quotes (no state change).
    void string(std::string_view s) {
        if (!json_plain(s)) return escaped(s);
        char* p = room(s.size() + 3);
        *p = ',';
        p += need_comma_;
        *p++ = '"';
        if (!s.empty()) std::memcpy(p, s.data(), s.size());  // a null data() is UB in memcpy
        p += s.size();
        *p++ = '"';
        done(p);
    }
    void escaped(std::string_view s);  // through Boost.JSON
    void grow(std::size_t n);
    static void assert_plain_literal([[maybe_unused]] std::string_view k) {
        assert(json_plain(k) && "literal JSON keys must be plain ASCII");
    }

    std::unique_ptr<char[]> buf_;
    std::size_t len_ = 0;
    std::size_t cap_ = 0;
    bool need_comma_ = false;
    boost::json::serializer sr_;
};

}  // namespace declared
