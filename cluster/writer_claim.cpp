#include "cluster/writer_claim.hpp"

#include <boost/json.hpp>

namespace declared::cluster {
namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, const char* key) {
    const auto* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

}  // namespace

std::string encode_claim(const WriterClaim& c) {
    return json::serialize(json::object{
        {"writer", c.writer}, {"node", c.node}, {"after", c.after}, {"reason", c.reason}, {"at", c.at}});
}

Result<WriterClaim> decode_claim(std::string_view bytes, const std::string& where) {
    using R = Result<WriterClaim>;
    boost::system::error_code ec;
    const json::value v = json::parse(bytes, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* after = o ? o->if_contains("after") : nullptr;
    const bool whole = after && (after->is_uint64() || (after->is_int64() && after->as_int64() >= 0));
    WriterClaim c;
    if (o) c.writer = text_of(*o, "writer");
    if (!o || c.writer.empty() || !whole)
        return R::of_error(Error{"cluster_stream_damaged", where,
                                 "a writer claim: an object with \"writer\" and \"after\"",
                                 std::string(bytes.substr(0, 60))});
    c.after = after->is_uint64() ? after->as_uint64() : static_cast<std::uint64_t>(after->as_int64());
    c.node = text_of(*o, "node");
    c.reason = text_of(*o, "reason");
    c.at = text_of(*o, "at");
    return R{std::move(c), {}};
}

std::string encode_heartbeat(const Heartbeat& h) {
    json::object o{{"writer", h.writer}, {"node", h.node}};
    if (h.resigning) o["resigning"] = true;
    return json::serialize(o);
}

std::optional<Heartbeat> decode_heartbeat(std::string_view bytes) {
    boost::system::error_code ec;
    const json::value v = json::parse(bytes, ec);
    const auto* o = ec ? nullptr : v.if_object();
    if (!o) return std::nullopt;
    const auto* resigning = o->if_contains("resigning");
    Heartbeat h{text_of(*o, "writer"), text_of(*o, "node"), resigning && resigning->is_bool() && resigning->as_bool()};
    if (h.writer.empty()) return std::nullopt;
    return h;
}

}  // namespace declared::cluster
