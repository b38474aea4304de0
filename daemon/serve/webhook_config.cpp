#include "daemon/serve/webhook_config.hpp"

#include <set>

#include <boost/json.hpp>

namespace declared {

Result<std::vector<feed::WebhookOptions>> parse_webhooks(std::string_view json, const std::string& cursor_dir) {
    using R = Result<std::vector<feed::WebhookOptions>>;
    boost::system::error_code ec;
    auto v = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
    if (ec) return R::fail({"bad_webhooks", "", "a JSON array of webhooks", ec.message()});
    if (!v.is_array()) return R::fail({"bad_webhooks", "", "a JSON array of webhooks", "another JSON value"});
    std::vector<feed::WebhookOptions> out;
    std::set<std::string> names;
    std::size_t i = 0;
    for (const auto& item : v.as_array()) {
        const std::string path = "[" + std::to_string(i++) + "]";
        if (!item.is_object()) return R::fail({"bad_webhooks", path, "an object", "another JSON value"});
        const auto& o = item.as_object();
        for (const auto& kv : o) {
            static const std::set<std::string> known{"name", "url", "secret", "types", "councils", "regions"};
            if (!known.count(std::string(kv.key())))
                return R::fail({"bad_webhooks", path + "." + std::string(kv.key()),
                                "one of name, url, secret, types, councils, regions", "an unknown field"});
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
            return R::fail({"bad_webhooks", path, "string fields", "a field of another type"});
        if (name->empty() || name->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
            return R::fail({"bad_webhooks", path + ".name", "a name of lower-case letters, digits, - and _", "\"" + *name + "\""});
        if (!names.insert(*name).second) return R::fail({"bad_webhooks", path + ".name", "a unique name", "\"" + *name + "\" again"});
        if (url->empty()) return R::fail({"bad_webhooks", path + ".url", "a URL", "nothing"});
        auto filter = feed::EventFilter::parse(*councils, *regions, *types);
        if (!filter.ok()) return R::fail({"bad_webhooks", path + "." + filter.error.path, filter.error.expected, filter.error.got});
        w.name = *name;
        w.url = *url;
        w.secret = *secret;
        w.filter = std::move(*filter.value);
        w.cursor_path = cursor_dir + "/" + *name + ".cursor";
        out.push_back(std::move(w));
    }
    return {std::move(out), {}};
}

}  // namespace declared
