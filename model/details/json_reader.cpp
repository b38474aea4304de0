#include "model/details/json_reader.hpp"

#include <algorithm>
#include <vector>

namespace declared::details {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string describe(element e) {
    std::string s;
    switch (e.type()) {
        case element_type::ARRAY: s = "an array"; break;
        case element_type::OBJECT: s = "an object"; break;
        case element_type::NULL_VALUE: s = "null"; break;
        default: s = simdjson::minify(e); break;
    }
    constexpr std::size_t kMax = 48;
    if (s.size() > kMax) {
        s.resize(kMax);
        // Do not cut a UTF-8 sequence in half: back up to a lead byte.
        while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
        if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
        s += "...";
    }
    return s;
}

std::string join_path(std::string_view parent, std::string_view key) {
    std::string p(parent);
    if (!p.empty()) p += '.';
    p += key;
    return p;
}

std::string index_path(std::string_view parent, std::size_t i) {
    std::string p(parent);
    p += '[';
    p += std::to_string(i);
    p += ']';
    return p;
}

std::string Where::str() const {
    if (index != static_cast<std::size_t>(-1)) return index_path(parent, index);
    if (key.empty()) return std::string(parent);
    return join_path(parent, key);
}

void JsonReader::reject(std::string code, std::string path, std::string expected, std::string got) {
    if (!error_) error_ = Error{std::move(code), std::move(path), std::move(expected), std::move(got)};
}

void JsonReader::only_fields(simdjson::dom::object o, std::string_view path,
                             std::initializer_list<std::string_view> allowed) {
    if (failed()) return;
    // A repeated key is refused, not resolved: which value a reader takes is
    // up to the reader, and every one must read the same declaration.
    std::vector<std::string_view> seen;
    for (auto [key, value] : o) {
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
            return reject("duplicate_field", join_path(path, key.substr(0, 48)), "each field at most once",
                        "\"" + std::string(key.substr(0, 48)) + "\" more than once");
        seen.push_back(key);
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string expected = "one of the fields";
        for (auto a : allowed) (expected += ' ') += a;
        std::string got = "unknown field \"";
        got += key.substr(0, 48);
        got += '"';
        return reject("unknown_field", join_path(path, key.substr(0, 48)), expected, got);
    }
}

std::optional<element> JsonReader::field(simdjson::dom::object o, std::string_view path, std::string_view key,
                                         bool required) {
    if (failed()) return std::nullopt;
    element e;
    if (o.at_key(key).get(e) != simdjson::SUCCESS) {
        if (required) reject("missing_field", join_path(path, key), "a value", "nothing (field is missing)");
        return std::nullopt;
    }
    return e;
}

void JsonReader::string_value(element e, Where where, std::string& out, std::size_t max_len) {
    if (failed()) return;
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return reject("wrong_type", where.str(), "a string", describe(e));
    if (s.empty() || s.size() > max_len) {  // the path is spelled out only then
        auto bad = text_error(where.str(), s, max_len);
        return reject(bad->code, bad->path, bad->expected, bad->got);
    }
    out.assign(s);
}

std::optional<Error> text_error(std::string_view path, std::string_view s, std::size_t max_len) {
    if (s.empty()) return Error{"empty_string", std::string(path), "a non-empty string", "\"\""};
    if (s.size() > max_len)
        return Error{"too_long", std::string(path), "at most " + std::to_string(max_len) + " bytes",
                     std::to_string(s.size()) + " bytes"};
    // Parsed text was validated with its document; text from elsewhere is checked here.
    if (!simdjson::validate_utf8(s.data(), s.size()))
        return Error{"invalid_utf8", std::string(path), "valid UTF-8 text", "bytes that are not UTF-8"};
    return std::nullopt;
}

void JsonReader::integer_value(element e, Where where, std::int64_t& out, std::int64_t min, std::int64_t max) {
    if (failed()) return;
    auto expected = [&] { return "an integer from " + std::to_string(min) + " to " + std::to_string(max); };
    std::int64_t v = 0;
    auto t = e.type();
    if (t == element_type::DOUBLE) return reject("not_integer", where.str(), expected(), describe(e));
    if (t == element_type::UINT64) return reject("out_of_range", where.str(), expected(), describe(e));
    if (t != element_type::INT64 || e.get_int64().get(v) != simdjson::SUCCESS)
        return reject("wrong_type", where.str(), expected(), describe(e));
    if (v < min || v > max) return reject("out_of_range", where.str(), expected(), std::to_string(v));
    out = v;
}

void JsonReader::string(simdjson::dom::object o, std::string_view path, std::string_view key, std::string& out,
                        bool required, std::size_t max_len) {
    auto e = field(o, path, key, required);
    if (!e) return;
    if (!required && e->is_null()) return;
    string_value(*e, Where{path, key}, out, max_len);
}

void JsonReader::integer(simdjson::dom::object o, std::string_view path, std::string_view key, std::int64_t& out,
                         std::int64_t min, std::int64_t max, bool required) {
    auto e = field(o, path, key, required);
    if (!e) return;
    integer_value(*e, Where{path, key}, out, min, max);
}

void JsonReader::optional_integer(simdjson::dom::object o, std::string_view path, std::string_view key,
                                  std::optional<std::int64_t>& out, std::int64_t min, std::int64_t max) {
    auto e = field(o, path, key, false);
    if (!e || e->is_null()) return;
    std::int64_t v = 0;
    integer_value(*e, Where{path, key}, v, min, max);
    if (!failed()) out = v;
}

void JsonReader::boolean(simdjson::dom::object o, std::string_view path, std::string_view key, bool& out,
                         bool required) {
    auto e = field(o, path, key, required);
    if (!e) return;
    bool b = false;
    if (e->get_bool().get(b) != simdjson::SUCCESS)
        return reject("wrong_type", join_path(path, key), "true or false", describe(*e));
    out = b;
}

std::optional<simdjson::dom::array> JsonReader::array(simdjson::dom::object o, std::string_view path,
                                                      std::string_view key, bool required) {
    auto e = field(o, path, key, required);
    if (!e) return std::nullopt;
    simdjson::dom::array a;
    if (e->get_array().get(a) != simdjson::SUCCESS) {
        if (!required && e->is_null()) return std::nullopt;
        reject("wrong_type", join_path(path, key), "an array", describe(*e));
        return std::nullopt;
    }
    return a;
}

std::optional<simdjson::dom::object> JsonReader::object(simdjson::dom::object o, std::string_view path,
                                                        std::string_view key, bool required) {
    auto e = field(o, path, key, required);
    if (!e) return std::nullopt;
    simdjson::dom::object obj;
    if (e->get_object().get(obj) != simdjson::SUCCESS) {
        if (!required && e->is_null()) return std::nullopt;
        reject("wrong_type", join_path(path, key), "an object", describe(*e));
        return std::nullopt;
    }
    return obj;
}

}  // namespace declared::details
