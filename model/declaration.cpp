#include "model/declaration.hpp"

#include <algorithm>

namespace declared {

bool Declaration::uncontested() const {
    return std::none_of(candidates.begin(), candidates.end(), [](const Candidate& c) { return c.votes.has_value(); });
}

}  // namespace declared
