#pragma once
// Control by the majority rule over a composition, with no state and no I/O:
// given seats by party code and the threshold from control::majority(), the
// party that holds at least that many and may control, else "NOC". The
// importer and the generator judge eve-of-poll control with it, so that the
// majority rule is written once (model/control); the tally's running control
// comes from control::settle().
#include <functional>
#include <map>
#include <string>

namespace declared::control {

// The first party in code order with seats >= majority that can_control
// allows; "NOC" when there is none.
std::string majority_holder(const std::map<std::string, int>& seats, int majority,
                            const std::function<bool(const std::string&)>& can_control);

}  // namespace declared::control
