#include "feed/cursor_file.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace declared::feed {

Result<std::optional<std::uint64_t>> CursorFile::load() {
    using R = Result<std::optional<std::uint64_t>>;
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec) && !ec) return R{std::optional<std::uint64_t>{}, {}};
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return R::of_error({"bad_cursor", path_, "a readable webhook cursor file", "a file that cannot be read"});
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    std::uint64_t seq = 0;
    const auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), seq);
    if (err != std::errc() || end != s.data() + s.size() || s.empty())
        return R::of_error({"bad_cursor", path_, "the last delivered seq, a whole number", "'" + s.substr(0, 40) + "'"});
    return R{std::optional<std::uint64_t>{seq}, {}};
}

std::optional<Error> CursorFile::save(std::uint64_t seq) {
    const std::string tmp = path_ + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << seq << '\n';
        out.flush();
        if (!out) return Error{"cursor_unwritable", tmp, "a writable webhook cursor file", "a failed write"};
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path_, ec);
    if (ec) return Error{"cursor_unwritable", path_, "a cursor file that can be replaced", ec.message()};
    return std::nullopt;
}

}  // namespace declared::feed
