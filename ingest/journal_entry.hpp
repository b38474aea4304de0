#pragma once
// What one journal record holds: an accepted declaration, normalised (party
// aliases resolved), and when it was received. Events are a function of the
// card and these entries, so replaying them gives the same event bytes.
#include <string>
#include <string_view>

#include "model/declaration.hpp"
#include "model/declaration_json.hpp"
#include "model/error.hpp"

namespace declared {

struct JournalEntry {
    std::string received_at;
    Declaration declaration;
};

std::string encode_entry(std::string_view received_at, const Declaration& d);
Result<JournalEntry> decode_entry(std::string_view record, DeclarationParser& parser);

}  // namespace declared
