#include "model/majority_holder.hpp"

#include "model/card.hpp"

namespace declared::control {

std::string majority_holder(const std::map<std::string, int>& seats, int majority,
                            const std::function<bool(const std::string&)>& can_control) {
    for (const auto& [party, n] : seats)
        if (n >= majority && can_control(party)) return party;
    return std::string(kNoc);
}

}  // namespace declared::control
