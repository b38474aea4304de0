#include "daemon/journal_entry.hpp"

#include <boost/json.hpp>

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

Result<JournalEntry> decode_entry(std::string_view record, DeclarationParser& parser) {
    using R = Result<JournalEntry>;
    boost::system::error_code ec;
    auto v = boost::json::parse(boost::json::string_view(record.data(), record.size()), ec);
    if (ec || !v.is_object()) return R::fail({"bad_journal_entry", "", "a journal entry object", ec ? ec.message() : "another JSON value"});
    const auto& o = v.get_object();
    const auto* ver = o.if_contains("v");
    const auto* at = o.if_contains("received_at");
    const auto* decl = o.if_contains("declaration");
    if (!ver || !ver->is_int64() || ver->get_int64() != 1)
        return R::fail({"bad_journal_entry", "v", "entry version 1", ver ? boost::json::serialize(*ver) : "nothing"});
    if (!at || !at->is_string() || !decl || !decl->is_object())
        return R::fail({"bad_journal_entry", "", "received_at and declaration", "an entry without them"});
    auto parsed = parser.parse(boost::json::serialize(*decl));
    if (!parsed.ok()) return R::fail(parsed.error);
    return R{JournalEntry{std::string(at->get_string()), std::move(*parsed.value)}, {}};
}

}  // namespace declared
