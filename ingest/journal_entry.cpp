#include "ingest/journal_entry.hpp"

#include "model/desk_action_json.hpp"
#include "model/json_writer.hpp"

namespace declared {

namespace {

// {"v":1,"received_at":"...",KEY:INPUT}
template <class Input, class Write>
std::string entry(std::string_view received_at, std::string_view key, const Input& input, Write write) {
    JsonWriter w;
    w.begin_object();
    w.field("v", 1);
    w.field("received_at", received_at);
    w.key(key);
    write(w, input);
    w.end_object();
    return w.str();
}

}  // namespace

std::string encode_entry(std::string_view received_at, const Declaration& d) {
    return entry(received_at, "declaration", d, write_declaration);
}

std::string encode_entry(std::string_view received_at, const DeskAction& a) {
    return entry(received_at, "desk", a, write_desk_action);
}

// encode_entry() writes one fixed layout, {"v":1,"received_at":"...",
// "declaration":{...}} or {"v":1,"received_at":"...","desk":{...}}, so the
// entry is read by that layout and only the body is parsed, once, by the
// same parser that takes it at ingest.
Result<JournalEntry> decode_entry(std::string_view record, DeclarationParser& parser) {
    using R = Result<JournalEntry>;
    constexpr std::string_view kHead = R"({"v":1,"received_at":")";
    constexpr std::string_view kMiddle = R"(","declaration":)";
    constexpr std::string_view kDesk = R"(","desk":)";
    if (!record.starts_with(kHead))
        return R::of_error({"bad_journal_entry", "v", "an entry of version 1 ({\"v\":1,\"received_at\":...)",
                        std::string(record.substr(0, 32))});
    // received_at never holds a quote: the first one after it ends it.
    const auto at_end = record.find('"', kHead.size());
    const std::string_view received_at = record.substr(kHead.size(), at_end - kHead.size());
    const std::string_view rest = at_end == std::string_view::npos ? std::string_view() : record.substr(at_end);
    const bool desk = rest.starts_with(kDesk);
    const std::size_t middle = desk ? kDesk.size() : kMiddle.size();
    if ((!desk && !rest.starts_with(kMiddle)) || received_at.find('\\') != std::string_view::npos ||
        !record.ends_with('}'))
        return R::of_error({"bad_journal_entry", "", "received_at and a declaration or desk action", "an entry without them"});
    const auto body = record.substr(at_end + middle, record.size() - at_end - middle - 1);
    if (desk) {
        auto action = parse_desk_action(body, true);
        if (!action.ok()) return R::of_error(action.error);
        return R{JournalEntry{std::string(received_at), {}, std::move(*action.value)}, {}};
    }
    auto parsed = parser.parse(body);
    if (!parsed.ok()) return R::of_error(parsed.error);
    return R{JournalEntry{std::string(received_at), std::move(*parsed.value), std::nullopt}, {}};
}

}  // namespace declared
