#pragma once
// The live results page (web/*), compiled into the binary by
// daemon/serve/static_assets.cmake: GET /, /app.js, /style.css with their
// Content-Type, an ETag per file, and 304 for a matching If-None-Match.
#include <optional>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"

namespace declared {

struct StaticAsset {
    std::string_view path;  // "/", "/app.js", ...
    std::string_view content_type;
    std::string_view etag;  // quoted, e.g. "\"3f2a...\""
    std::string_view body;
};

// Every embedded file (generated at build time).
const std::vector<StaticAsset>& static_assets();

// The asset served at path, or nullptr (the API answers 404 then).
const StaticAsset* find_static_asset(std::string_view path);

// The answer to a GET or HEAD for asset: 200 with the bytes, or 304 when the
// request's If-None-Match names the current ETag. frame_ancestors is the
// page's CSP frame-ancestors source list (web.frame_ancestors): who may embed it.
net::Response static_response(const net::Request& req, const StaticAsset& asset,
                               std::string_view frame_ancestors = "'none'");

}  // namespace declared
