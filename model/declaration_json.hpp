#pragma once
// Declarations to and from JSON. The parser keeps one simdjson parser for its
// lifetime (reuse it per ingest loop); errors are values with a field path.
#include <memory>
#include <optional>
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

    // The rule parse() applies to a "source" field, for a source the daemon
    // sets itself (e.g. "drop:" + a file name): a non-empty string of valid
    // UTF-8, at most 256 bytes. What ingest accepts, a restart must load.
    static std::optional<Error> check_source(std::string_view source);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class JsonWriter;

std::string declaration_to_json(const Declaration& d);  // one line, no newline
// The same object, written as a value into w (a journal entry embeds it).
void write_declaration(JsonWriter& w, const Declaration& d);

}  // namespace declared
