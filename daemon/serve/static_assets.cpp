#include "daemon/serve/static_assets.hpp"

#include <string>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

namespace declared {

namespace http = boost::beast::http;

const StaticAsset* find_static_asset(std::string_view path) {
    if (path == "/index.html") path = "/";
    for (const auto& a : static_assets())
        if (a.path == path) return &a;
    return nullptr;
}

namespace {

// If-None-Match: "*" or a comma list of (possibly weak) ETags.
bool etag_matches(std::string_view header, std::string_view etag) {
    while (!header.empty()) {
        auto comma = header.find(',');
        auto item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.starts_with("W/")) item.remove_prefix(2);
        if (item == "*" || item == etag) return true;
    }
    return false;
}

}  // namespace

net::Response static_response(const net::Request& req, const StaticAsset& asset, std::string_view frame_ancestors) {
    const bool not_modified = etag_matches(req[http::field::if_none_match], asset.etag);
    net::Response res{not_modified ? http::status::not_modified : http::status::ok, req.version()};
    res.set(http::field::server, "declared");
    res.set(http::field::etag, asset.etag);
    // The page changes with the binary: always revalidate (a 304 is cheap).
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
    if (not_modified) return res;
    res.set(http::field::content_type, asset.content_type);
    if (asset.path == "/") {
        res.set("Content-Security-Policy",
                "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                "style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors " +
                    std::string(frame_ancestors));
        res.set("Referrer-Policy", "no-referrer");
    }
    if (req.method() == http::verb::head) {
        res.content_length(asset.body.size());
        return res;
    }
    res.body() = std::string(asset.body);
    res.prepare_payload();
    return res;
}

}  // namespace declared
