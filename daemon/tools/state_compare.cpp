#include "daemon/tools/state_compare.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "net/http_client.hpp"
#include "model/declaration_json.hpp"
#include "model/desk_action_json.hpp"
#include "model/tally.hpp"

namespace declared {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

// One GET, run to completion on a private io_context.
std::optional<std::string> fetch(const net::HttpTarget& base, const std::string& path, const std::string& token,
                                 std::string& error) {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    std::string prefix = base.target;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    net::Request req{http::verb::get, prefix + path, 11};
    req.set(http::field::user_agent, "declared-replay");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    net::HttpExchange out;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            out = co_await net::http_exchange(resolver, base, std::move(req), std::chrono::seconds(30), 256u << 20);
        },
        asio::detached);
    ioc.run();
    if (!out.response) return error = "GET " + path + ": " + out.error, std::nullopt;
    if (out.response->result_int() != 200)
        return error = "GET " + path + ": HTTP " + std::to_string(out.response->result_int()) + ": " +
                       out.response->body().substr(0, 300),
               std::nullopt;
    return std::move(out.response->body());
}

// Drops what depends on the route an input took (see the header).
void normalise(json::value& v) {
    if (v.is_array())
        for (auto& x : v.as_array()) normalise(x);
    if (!v.is_object()) return;
    auto& o = v.as_object();
    o.erase("event");
    o.erase("last_seq");
    o.erase("source");
    if (auto* call = o.if_contains("call")) *call = !call->is_null();
    for (auto& kv : o) normalise(kv.value());
}

std::string brief(const json::value& v) {
    std::string s = json::serialize(v);
    return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// The first place the two differ, as "path: daemon has A, offline B".
std::optional<std::string> first_difference(const json::value& a, const json::value& b, const std::string& path) {
    if (a.is_object() && b.is_object()) {
        for (const auto& kv : b.as_object()) {
            const std::string at = path + "." + std::string(kv.key());
            const auto* other = a.as_object().if_contains(kv.key());
            if (!other) return at + ": missing from the daemon";
            if (auto d = first_difference(*other, kv.value(), at)) return d;
        }
        for (const auto& kv : a.as_object())
            if (!b.as_object().contains(kv.key())) return path + "." + std::string(kv.key()) + ": only the daemon has it";
        return std::nullopt;
    }
    if (a.is_array() && b.is_array() && a.as_array().size() == b.as_array().size()) {
        for (std::size_t i = 0; i < a.as_array().size(); ++i)
            if (auto d = first_difference(a.as_array()[i], b.as_array()[i], path + "[" + std::to_string(i) + "]")) return d;
        return std::nullopt;
    }
    if (a == b) return std::nullopt;
    return (path.empty() ? std::string("(whole)") : path) + ": daemon has " + brief(a) + ", offline " + brief(b);
}

std::optional<std::string> compare(const std::string& daemon, const std::string& offline) {
    boost::system::error_code ec;
    json::value a = json::parse(daemon, ec);
    if (ec) return "the daemon's answer is not JSON: " + ec.message();
    json::value b = json::parse(offline);
    normalise(a);
    normalise(b);
    return first_difference(a, b, "");
}

}  // namespace

StateComparison compare_with_offline(const std::string& url, const std::string& read_token, const Card& card,
                                     std::span<const NightInput> intended) {
    StateComparison out;
    auto base = net::parse_http_url(url);
    if (!base) return out.error = "expected an http://HOST:PORT URL, got '" + url + "'", out;
    Tally tally(card);
    tally.start();
    DeclarationParser parser;
    std::string at;
    for (const auto& input : intended) {
        if (input.desk) {
            auto a = parse_desk_action(input.text);
            if (!a.ok()) continue;
            a.value->by = "rehearsal";
            if (!tally.check(*a.value, at)) (void)tally.apply(*a.value, at);
            continue;
        }
        auto d = parser.parse(input.text);
        if (!d.ok()) continue;
        at = d.value->declared_at;
        if (tally.assess(*d.value).accepted()) tally.apply(*d.value, d.value->declared_at);
    }
    auto scoreboard = fetch(*base, "/v1/scoreboard", read_token, out.error);
    if (!scoreboard) return out;
    if (auto d = compare(*scoreboard, tally.summary_json())) out.differences.push_back("scoreboard: " + *d);
    for (const auto& c : card.councils) {
        auto state = fetch(*base, "/v1/councils/" + c.id, read_token, out.error);
        if (!state) return out;
        ++out.councils;
        if (auto d = compare(*state, tally.council_json(c.id))) out.differences.push_back("council " + c.id + ": " + *d);
    }
    return out;
}

}  // namespace declared
