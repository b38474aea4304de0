#include "net/cors.hpp"

#include <algorithm>

#include <boost/beast/http/field.hpp>

namespace declared::net {

namespace http = boost::beast::http;

namespace {

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

constexpr std::string_view kAllowHeaders = "Authorization, Content-Type, Last-Event-ID";

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {
    any_ = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
}

std::optional<Error> CorsPolicy::check(std::string_view origin) {
    auto bad = [&](std::string why) {
        return Error{"bad_option", "--web.allow_origins",
                     "origins as browsers send them: scheme://host[:port] (http or https, no path) or *",
                     "'" + std::string(origin.substr(0, 120)) + "': " + why};
    };
    if (origin == "*") return std::nullopt;
    std::string_view rest;
    if (origin.starts_with("http://")) rest = origin.substr(7);
    else if (origin.starts_with("https://")) rest = origin.substr(8);
    else return bad("it does not start with http:// or https://");
    if (rest.empty()) return bad("there is no host");
    for (char c : rest) {
        if (c == '/') return bad("an origin has no path (not even a trailing /)");
        if (c == '*' ) return bad("wildcards within an origin are not supported; list each origin, or * for any");
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
                        c == '[' || c == ']' || c == '_';
        if (c >= 'A' && c <= 'Z') return bad("browsers send the host in lower case");
        if (!ok) return bad(std::string("the character '") + c + "' cannot be in a host");
    }
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos && rest.back() != ']') {
        auto port = rest.substr(colon + 1);
        if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return bad("the port must be a number");
        if (colon == 0) return bad("there is no host before the port");
    }
    return std::nullopt;
}

bool CorsPolicy::allows(std::string_view origin) const {
    if (origin.empty()) return false;
    return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

std::string CorsPolicy::allow_origin(const Request& req) const {
    const auto origin = sv(req[http::field::origin]);
    if (!allows(origin)) return {};
    return any_ ? "*" : std::string(origin);
}

void CorsPolicy::apply(const Request& req, Response& res) const {
    if (!enabled()) return;
    res.set(http::field::vary, "Origin");
    if (auto allow = allow_origin(req); !allow.empty()) res.set(http::field::access_control_allow_origin, allow);
}

std::string CorsPolicy::header_lines(const Request& req) const {
    if (!enabled()) return {};
    std::string out = "Vary: Origin\r\n";
    if (auto allow = allow_origin(req); !allow.empty()) out += "Access-Control-Allow-Origin: " + allow + "\r\n";
    return out;
}

Response CorsPolicy::preflight(const Request& req, std::string_view methods) const {
    const auto origin = sv(req[http::field::origin]);
    const std::string allow = methods.empty() ? "OPTIONS" : std::string(methods) + ", OPTIONS";
    if (origin.empty()) {
        Response res{http::status::no_content, req.version()};
        res.set(http::field::server, "declared");
        res.set(http::field::allow, allow);
        res.keep_alive(req.keep_alive());
        return res;
    }
    if (!allows(origin)) {
        auto res = error_response(req.version(), req.keep_alive(), http::status::forbidden, "origin_not_allowed",
                                  enabled() ? "the origin '" + std::string(origin.substr(0, 120)) +
                                                  "' is not in this daemon's web.allow_origins"
                                            : std::string("this daemon allows no cross-origin requests "
                                                          "(web.allow_origins is empty)"));
        if (enabled()) res.set(http::field::vary, "Origin");
        return res;
    }
    Response res{http::status::no_content, req.version()};
    res.set(http::field::server, "declared");
    res.set(http::field::access_control_allow_origin, any_ ? "*" : std::string(origin));
    res.set(http::field::access_control_allow_methods, allow);
    res.set(http::field::access_control_allow_headers, kAllowHeaders);
    res.set(http::field::access_control_max_age, "600");
    res.set(http::field::vary, "Origin");
    res.keep_alive(req.keep_alive());
    return res;
}

Respond with_cors(const CorsPolicy& policy, const Request& req, Respond respond) {
    if (!policy.enabled()) return respond;
    // Only the headers that matter: the Origin, for the policy to judge.
    Request shape;
    shape.set(http::field::origin, req[http::field::origin]);
    return [&policy, shape = std::move(shape), respond = std::move(respond)](Response&& res) {
        policy.apply(shape, res);
        respond(std::move(res));
    };
}

bool same_origin(const Request& req) {
    auto origin = sv(req[http::field::origin]);
    const auto host = sv(req[http::field::host]);
    if (host.empty()) return false;
    if (origin.starts_with("http://")) origin.remove_prefix(7);
    else if (origin.starts_with("https://")) origin.remove_prefix(8);
    else return false;
    return origin == host;
}

}  // namespace declared::net
