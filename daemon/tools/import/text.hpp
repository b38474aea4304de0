#pragma once
// Small text helpers of the importer: ids, name matching, numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace declared::import {

std::string trim(std::string_view s);

// Democracy Club style slug: "Kingston upon Thames" -> "kingston-upon-thames",
// "St. Helens" -> "st-helens", "Radcliffe North & Ainsworth" -> "radcliffe-north-and-ainsworth".
std::string slugify(std::string_view s);

// Key for matching names across publishers: lower case, "&" -> "and",
// punctuation and spacing dropped, "Saint" -> "st" ("Newcastle-under-Lyme" ==
// "Newcastle under Lyme"; "St. Helens" == "St Helens").
std::string match_key(std::string_view s);

// Council names across publishers: match_key after dropping ", City of",
// "City of", "Royal Borough of", "London Borough of" and "County" words.
std::string council_key(std::string_view s);

// Candidate names as the declaration format shows them: "Surname I.".
// "Surname, I." -> "Surname I."; spacing collapsed.
std::string candidate_name(std::string_view s);

// A local party's short name for alert text: "Canvey Island Independent
// Party" -> "Canvey Island Ind", "People's Independent Party" -> "People's Ind";
// empty when even that is longer than 24 characters (the code is used then).
std::string party_label(std::string_view name);

// Whole number, thousands separators allowed ("1,234"); none on anything else.
std::optional<std::int64_t> parse_count(std::string_view s);

// Elected flag: 1/0, Y/N, Yes/No, True/False, Elected/Not elected; empty is no.
std::optional<bool> parse_flag(std::string_view s);

}  // namespace declared::import
