#include "cluster/pub_ack.hpp"

#include <boost/json.hpp>

namespace declared::cluster {
namespace json = boost::json;

Result<PubAck> parse_pub_ack(std::string_view body) {
    using R = Result<PubAck>;
    auto bad = [&] {
        return R::of_error(Error{"cluster_bad_ack", "publish answer", "a JetStream publish acknowledgement",
                             std::string(body.substr(0, 120))});
    };
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return bad();
    const auto& o = v.as_object();
    PubAck ack;
    if (const auto* s = o.if_contains("stream"); s && s->is_string()) ack.stream = std::string(s->as_string());
    if (const auto* e = o.if_contains("error")) {
        if (!e->is_object()) return bad();
        const auto& eo = e->as_object();
        const auto* code = eo.if_contains("code");
        const auto* err_code = eo.if_contains("err_code");
        ack.code = code && code->is_int64() ? static_cast<int>(code->as_int64()) : 500;
        ack.err_code = err_code && err_code->is_int64() ? static_cast<int>(err_code->as_int64()) : -1;
        if (const auto* d = eo.if_contains("description"); d && d->is_string())
            ack.description = std::string(d->as_string());
        return R{std::move(ack), {}};
    }
    const auto* seq = o.if_contains("seq");
    if (!seq || !seq->is_number() || ack.stream.empty()) return bad();
    boost::system::error_code nec;
    ack.seq = seq->to_number<std::uint64_t>(nec);
    if (nec || ack.seq == 0) return bad();
    if (const auto* d = o.if_contains("duplicate"); d && d->is_bool()) ack.duplicate = d->as_bool();
    return R{std::move(ack), {}};
}

}  // namespace declared::cluster
