#pragma once
// ISO 8601 UTC times as declarations carry them: 2022-05-06T01:30:00Z, with
// optional fractional seconds, and "+00:00" accepted for "Z". A time with
// another offset (or none) is refused: "01:30" without a zone is a guess.
// Every time the project writes goes through format_utc (no clock here: the
// caller gives the instant).
#include <cstdint>
#include <string>
#include <string_view>

namespace declared {

bool is_utc_time(std::string_view s);

// Milliseconds since 1970-01-01 as 2022-05-06T01:30:00Z, or with
// milliseconds (2022-05-06T01:30:00.250Z) when with_ms.
std::string format_utc(std::int64_t unix_ms, bool with_ms = false);

}  // namespace declared
