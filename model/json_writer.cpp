#include "model/json_writer.hpp"

#include <algorithm>

#include <boost/json/string_view.hpp>

namespace declared {

void JsonWriter::grow(std::size_t n) {
    // Doubling: a writer reaches the size of its largest document once.
    const std::size_t cap = std::max({cap_ * 2, len_ + n, std::size_t{4096}});
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (len_) std::memcpy(bigger.get(), buf_.get(), len_);
    buf_ = std::move(bigger);
    cap_ = cap;
}

void JsonWriter::escaped(std::string_view s) {
    if (need_comma_) put(',');
    // Boost.JSON writes the quotes and the escapes.
    sr_.reset(boost::json::string_view(s.data(), s.size()));
    while (!sr_.done()) {
        char* p = room(512);
        len_ += sr_.read(p, 512).size();
    }
}

std::string JsonWriter::quoted(std::string_view s) {
    JsonWriter w;
    w.value(s);
    return w.str();
}

}  // namespace declared
