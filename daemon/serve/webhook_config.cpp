#include "daemon/serve/webhook_config.hpp"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "feed/cursor_file.hpp"
#include "net/http_client.hpp"

namespace declared {

namespace {

// A whole number from lo to hi, when the field is there.
std::optional<Error> count_field(const boost::json::object& o, const char* key, const std::string& path, std::int64_t lo,
                                 std::int64_t hi, std::int64_t& out) {
    const auto* f = o.if_contains(key);
    if (!f) return std::nullopt;
    const std::string range = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!f->is_int64() && !f->is_uint64()) return Error{"bad_webhooks", path + "." + key, range, boost::json::serialize(*f)};
    const auto v = f->is_int64() ? f->as_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(f->as_uint64(), INT64_MAX));
    if (v < lo || v > hi) return Error{"bad_webhooks", path + "." + key, range, std::to_string(v)};
    out = v;
    return std::nullopt;
}

// body, max_attempts and alert_after_seconds: how it delivers, and gives up.
std::optional<Error> delivery_options(const boost::json::object& o, const std::string& path, feed::WebhookOptions& w) {
    if (const auto* b = o.if_contains("body")) {
        if (!b->is_string() || (b->as_string() != "event" && b->as_string() != "slack"))
            return Error{"bad_webhooks", path + ".body", "\"event\" (the envelope) or \"slack\" ({\"text\": ...})",
                         boost::json::serialize(*b)};
        w.body = b->as_string() == "slack" ? feed::WebhookBody::slack : feed::WebhookBody::event;
    }
    std::int64_t attempts = 0, alert_after = std::chrono::duration_cast<std::chrono::seconds>(w.alert_after).count();
    if (auto e = count_field(o, "max_attempts", path, 0, 1'000'000, attempts)) return e;
    if (auto e = count_field(o, "alert_after_seconds", path, 1, 7 * 24 * 3600, alert_after)) return e;
    w.max_attempts = static_cast<unsigned>(attempts);
    w.alert_after = std::chrono::seconds(alert_after);
    return std::nullopt;
}

}  // namespace

Result<std::vector<feed::WebhookOptions>> parse_webhooks(std::string_view json, const std::string& dir) {
    using R = Result<std::vector<feed::WebhookOptions>>;
    boost::system::error_code ec;
    auto v = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
    if (ec) return R::of_error({"bad_webhooks", "", "a JSON array of webhooks", ec.message()});
    if (!v.is_array()) return R::of_error({"bad_webhooks", "", "a JSON array of webhooks", "another JSON value"});
    std::vector<feed::WebhookOptions> out;
    std::set<std::string> names;
    std::size_t i = 0;
    for (const auto& item : v.as_array()) {
        const std::string path = "[" + std::to_string(i++) + "]";
        if (!item.is_object()) return R::of_error({"bad_webhooks", path, "an object", "another JSON value"});
        const auto& o = item.as_object();
        for (const auto& kv : o) {
            static const std::set<std::string> known{"name",     "url",          "secret",
                                                     "types",    "councils",     "regions",
                                                     "body",     "max_attempts", "alert_after_seconds"};
            if (!known.count(std::string(kv.key())))
                return R::of_error({"bad_webhooks", path + "." + std::string(kv.key()),
                                "one of name, url, secret, types, councils, regions, body, max_attempts, alert_after_seconds",
                                "an unknown field"});
        }
        auto str = [&](const char* k) -> std::optional<std::string> {
            auto* f = o.if_contains(k);
            if (!f) return std::string();
            if (!f->is_string()) return std::nullopt;
            return std::string(f->as_string());
        };
        feed::WebhookOptions w;
        auto name = str("name"), url = str("url"), secret = str("secret"), types = str("types"),
             councils = str("councils"), regions = str("regions");
        if (!name || !url || !secret || !types || !councils || !regions)
            return R::of_error({"bad_webhooks", path, "string fields", "a field of another type"});
        if (name->empty() || name->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
            return R::of_error({"bad_webhooks", path + ".name", "a name of lower-case letters, digits, - and _", "\"" + *name + "\""});
        if (!names.insert(*name).second) return R::of_error({"bad_webhooks", path + ".name", "a unique name", "\"" + *name + "\" again"});
        if (!net::parse_http_url(*url))
            return R::of_error({"bad_webhooks", path + ".url",
                                "an http://host[:port]/path URL (put TLS endpoints behind a local proxy)", "'" + *url + "'"});
        auto filter = feed::EventFilter::parse(*councils, *regions, *types);
        if (!filter.ok()) return R::of_error({"bad_webhooks", path + "." + filter.error.path, filter.error.expected, filter.error.got});
        w.name = *name;
        w.url = *url;
        w.secret = *secret;
        w.filter = std::move(*filter.value);
        w.cursor = std::make_shared<feed::CursorFile>(dir + "/" + *name + ".cursor");
        w.dead_letter_path = dir + "/" + *name + ".dead.jsonl";
        if (auto e = delivery_options(o, path, w)) return R::of_error(std::move(*e));
        out.push_back(std::move(w));
    }
    return {std::move(out), {}};
}

}  // namespace declared
