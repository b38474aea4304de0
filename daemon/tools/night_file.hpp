#pragma once
// A recorded night's declarations file (JSON lines, as `declared generate` or
// `declared import` write it) read for sending: each line with the time it
// was declared, so a replay or upstream-sim can release it at that time.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/card.hpp"
#include "model/declaration.hpp"
#include "model/declaration_json.hpp"

namespace declared {

// A night's two files, read and the card parsed.
struct NightFiles {
    Card card;
    std::string declarations;  // the declarations file's text
};
// nullopt with error set ("FILE: what is wrong") when either cannot be read
// or the card does not parse.
std::optional<NightFiles> read_night_files(const std::string& card_path, const std::string& declarations_path,
                                           std::string& error);

// One line of the recorded night, as read.
struct NightLine {
    std::string_view text;                   // into the file's text
    std::size_t line_no = 0;                 // in the declarations file
    long long at = 0;                        // when to send it, night seconds
    std::optional<Declaration> declaration;  // when it parses
};

// One input of a night as a daemon takes it: a declaration (a night file's
// line), or a results-desk action (the body of POST /v1/desk/actions).
struct NightInput {
    std::string text;
    bool desk = false;
};

// Every non-blank line, in file order. A line that does not parse is kept
// (whoever receives it names the problem) at the previous line's time, and
// times never go backwards. The lines point into text.
std::vector<NightLine> read_night(const std::string& text, DeclarationParser& parser);

// "2026-05-08T01:20:00Z" (fractions and +HH:MM offsets accepted) to seconds
// since 1970; nullopt when it is not such a time.
std::optional<long long> parse_iso(std::string_view s);

}  // namespace declared
