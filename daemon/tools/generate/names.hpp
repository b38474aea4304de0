#pragma once
// Invented but plausible English place and people names, and Democracy Club
// style slugs. Every draw goes through Rng, so names are deterministic per seed.
#include <string>
#include <string_view>

#include "daemon/tools/generate/rng.hpp"

namespace declared::generate {

enum class CouncilType { london, metropolitan, unitary, district, county };

// "Ashworth", "North Kelbury", "Wexshire" (counties end in -shire).
std::string council_name(Rng& rng, CouncilType type);
// "Ashworth and Kelbury": a far larger space, for when the short names run out.
std::string council_name_pair(Rng& rng);
// "Abbey", "North Hillside", "Castle and Priory", "St Mary's".
std::string ward_name(Rng& rng);
// "Whitfield K."
std::string person_name(Rng& rng);
// "St Mary's & Priory" -> "st-marys-and-priory".
std::string slugify(std::string_view s);

}  // namespace declared::generate
