#pragma once
// Cross-origin reads (CORS): which other origins' pages may call the API,
// follow the event stream and open the feed. Empty (the default): none, and
// browsers keep other origins' scripts out as they always do. "*" allows any.
//
// The policy only says; the routes apply it: REST answers carry
// Access-Control-Allow-Origin for an allowed Origin, preflights (OPTIONS)
// are answered 204 or refused 403, and the WebSocket feed refuses an upgrade
// whose Origin is neither allowed nor the daemon's own.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"
#include "model/error.hpp"

namespace declared::net {

class CorsPolicy {
public:
    CorsPolicy() = default;
    // Origins as a browser sends them ("https://news.example", "http://127.0.0.1:8080") or "*".
    explicit CorsPolicy(std::vector<std::string> origins);

    // Checks one configured origin: scheme://host[:port] (http or https), no
    // path, no trailing slash; or "*". The error names it and says why.
    static std::optional<Error> check(std::string_view origin);

    bool enabled() const { return !origins_.empty(); }
    bool allows(std::string_view origin) const;

    // The Access-Control-Allow-Origin value for this request ("" when it has
    // no Origin or the origin is not allowed).
    std::string allow_origin(const Request& req) const;
    // Sets Access-Control-Allow-Origin and Vary: Origin when allowed.
    void apply(const Request& req, Response& res) const;
    // The same as header lines ("Name: value\r\n"), for a response head
    // written by hand (the event stream's).
    std::string header_lines(const Request& req) const;

    // The answer to OPTIONS: a preflight from an allowed origin gets 204 with
    // the methods and headers it may use; one from any other origin gets 403
    // origin_not_allowed. OPTIONS without an Origin (not a preflight) gets 204
    // with Allow.
    Response preflight(const Request& req, std::string_view methods) const;

private:
    std::vector<std::string> origins_;
    bool any_ = false;
};

// respond, with the policy's headers added to whatever it is given.
Respond with_cors(const CorsPolicy& policy, const Request& req, Respond respond);

// The request's Origin is the daemon's own (its scheme-less host equals the
// Host header): the daemon's own page, whatever the policy.
bool same_origin(const Request& req);

}  // namespace declared::net
