#pragma once
// What `declared demo` asks of the results desk before the night plays: the
// policy approve on the first few councils (their calls wait in the desk view
// for someone to approve them) and one desk call ahead of the arithmetic, as
// `declared desk` argument lists (after "desk URL"), each with a reason.
#include <string>
#include <vector>

namespace declared {

// card_json: the night's card. Councils are taken in card order among those
// with an election; fewer councils, fewer actions.
std::vector<std::vector<std::string>> demo_desk_actions(const std::string& card_json, std::size_t approve = 3);

}  // namespace declared
