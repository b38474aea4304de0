#pragma once
// ISO 8601 UTC times as declarations carry them: 2022-05-06T01:30:00Z, with
// optional fractional seconds, and "+00:00" accepted for "Z". A time with
// another offset (or none) is refused: "01:30" without a zone is a guess.
#include <string_view>

namespace declared {

bool is_utc_time(std::string_view s);

}  // namespace declared
