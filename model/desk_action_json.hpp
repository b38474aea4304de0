#pragma once
// Desk actions to and from JSON: the body of POST /v1/desk/actions and the
// "desk" member of a journal entry (docs/desk.md, docs/journal.md). Parsing
// checks structure, names and text rules; whether the action applies to what
// is held (a proposal to approve, a revision to withdraw) is the tally's call.
// Errors are values naming the field, what it takes and what it got.
#include <string>
#include <string_view>

#include "model/desk_action.hpp"
#include "model/error.hpp"

namespace declared {

class JsonWriter;

inline constexpr std::size_t kMaxReasonBytes = 500;

// from_journal: the body may (must) carry "by"; from the API it must not
// (the daemon sets it from the token).
Result<DeskAction> parse_desk_action(std::string_view json, bool from_journal = false);

// The action as one JSON object (with "by" when set), into w.
void write_desk_action(JsonWriter& w, const DeskAction& a);
std::string desk_action_to_json(const DeskAction& a);

}  // namespace declared
