#include "model/json_writer.hpp"

#include <cassert>
#include <charconv>

#include <boost/json/string_view.hpp>

namespace declared {

void JsonWriter::separate() {
    if (need_comma_) *out_ += ',';
}

JsonWriter& JsonWriter::begin_object() {
    separate();
    *out_ += '{';
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    *out_ += '}';
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separate();
    *out_ += '[';
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    *out_ += ']';
    need_comma_ = true;
    return *this;
}

namespace {

// True when JSON needs no escape for s: printable ASCII other than '"' and '\\'.
// Nearly every key and card string is like that, and for them the serializer's
// set-up costs more than the copy; anything else goes to Boost.JSON.
bool plain(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
    return true;
}

}  // namespace

void JsonWriter::escaped(std::string_view s) {
    if (plain(s)) {
        *out_ += '"';
        out_->append(s);
        *out_ += '"';
        return;
    }
    // Boost.JSON writes the quotes and the escapes.
    sr_.reset(boost::json::string_view(s.data(), s.size()));
    char buf[512];
    while (!sr_.done()) {
        const auto part = sr_.read(buf, sizeof buf);
        out_->append(part.data(), part.size());
    }
}

JsonWriter& JsonWriter::key(std::string_view k) {
    separate();
    escaped(k);
    *out_ += ':';
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::literal_key(std::string_view k) {
    assert(plain(k) && "literal JSON keys must be plain ASCII");
    separate();
    *out_ += '"';
    out_->append(k);
    out_->append("\":", 2);
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::member(std::string_view serialized) {
    separate();
    out_->append(serialized);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    separate();
    escaped(s);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
    separate();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    out_->append(buf, r.ptr);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t n) {
    separate();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    out_->append(buf, r.ptr);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    separate();
    *out_ += b ? "true" : "false";
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::null() {
    separate();
    *out_ += "null";
    need_comma_ = true;
    return *this;
}

}  // namespace declared
