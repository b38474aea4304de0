#include "ingest/journal_entry.hpp"

#include "model/json_writer.hpp"

namespace declared {

std::string encode_entry(std::string_view received_at, const Declaration& d) {
    JsonWriter w;
    w.begin_object();
    w.field("v", 1);
    w.field("received_at", received_at);
    w.key("declaration");
    write_declaration(w, d);
    w.end_object();
    return w.str();
}

// encode_entry() writes one fixed layout, {"v":1,"received_at":"...",
// "declaration":{...}}, so the entry is read by that layout and only the
// declaration is parsed, once, by the same parser that takes it at ingest.
Result<JournalEntry> decode_entry(std::string_view record, DeclarationParser& parser) {
    using R = Result<JournalEntry>;
    constexpr std::string_view kHead = R"({"v":1,"received_at":")";
    constexpr std::string_view kMiddle = R"(","declaration":)";
    if (!record.starts_with(kHead))
        return R::fail({"bad_journal_entry", "v", "an entry of version 1 ({\"v\":1,\"received_at\":...)",
                        std::string(record.substr(0, 32))});
    const auto at_end = record.find(kMiddle, kHead.size());
    const std::string_view received_at = record.substr(kHead.size(), at_end - kHead.size());
    if (at_end == std::string_view::npos || received_at.find_first_of("\\\"") != std::string_view::npos ||
        !record.ends_with('}'))
        return R::fail({"bad_journal_entry", "", "received_at and declaration", "an entry without them"});
    const auto body = record.substr(at_end + kMiddle.size(), record.size() - at_end - kMiddle.size() - 1);
    auto parsed = parser.parse(body);
    if (!parsed.ok()) return R::fail(parsed.error);
    return R{JournalEntry{std::string(received_at), std::move(*parsed.value)}, {}};
}

}  // namespace declared
