#pragma once
// What one journal record holds: an accepted declaration, normalised (party
// aliases resolved), or a results-desk action (who, what, why), and when it
// was received. Events are a function of the card and these entries, so
// replaying them gives the same event bytes. Records written before desk
// actions existed hold declarations and decode unchanged (docs/journal.md).
#include <optional>
#include <string>
#include <string_view>

#include "model/declaration.hpp"
#include "model/declaration_json.hpp"
#include "model/desk_action.hpp"
#include "model/error.hpp"

namespace declared {

struct JournalEntry {
    std::string received_at;
    Declaration declaration;          // when desk is empty
    std::optional<DeskAction> desk;   // set: the record is a desk action
};

std::string encode_entry(std::string_view received_at, const Declaration& d);
std::string encode_entry(std::string_view received_at, const DeskAction& a);
Result<JournalEntry> decode_entry(std::string_view record, DeclarationParser& parser);

}  // namespace declared
