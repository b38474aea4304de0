#include "net/http_types.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace declared::net {

namespace http = boost::beast::http;

Response json_response(unsigned version, bool keep_alive, http::status status, std::string body) {
    Response res{status, version};
    res.set(http::field::server, "declared");
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    body += '\n';
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Response error_response(unsigned version, bool keep_alive, http::status status, std::string_view code,
                        std::string_view message) {
    boost::json::object err{{"code", code}, {"message", message}};
    return json_response(version, keep_alive, status, boost::json::serialize(boost::json::object{{"error", err}}));
}

}  // namespace declared::net
