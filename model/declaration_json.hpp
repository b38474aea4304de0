#pragma once
// Declarations to and from JSON. The parser keeps one simdjson parser for its
// lifetime (reuse it per ingest loop); errors are values with a field path.
#include <memory>
#include <string>
#include <string_view>

#include "model/declaration.hpp"
#include "model/error.hpp"

namespace declared {

class DeclarationParser {
public:
    DeclarationParser();
    ~DeclarationParser();
    DeclarationParser(const DeclarationParser&) = delete;
    DeclarationParser& operator=(const DeclarationParser&) = delete;

    // Structure and types only; validate() checks it against the card.
    Result<Declaration> parse(std::string_view json);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class JsonWriter;

std::string declaration_to_json(const Declaration& d);  // one line, no newline
// The same object, written as a value into w (a journal entry embeds it).
void write_declaration(JsonWriter& w, const Declaration& d);

}  // namespace declared
