// declared desk URL ACTION ...: the results desk from a terminal. Each action
// is one POST /v1/desk/actions (docs/desk.md); `state` is GET /v1/desk. The
// token comes from --token or DECLARED_DESK_TOKEN. Prints the server's answer;
// exits 0 when the action was applied, 1 with the server's error when it was
// refused (or the daemon could not be reached), 2 on a usage error.
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "net/http_client.hpp"

namespace declared {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace po = boost::program_options;

constexpr const char* kUsage = R"(declared desk URL ACTION [ARGS] --reason TEXT [--token TOKEN]

The results desk (docs/desk.md). URL is the daemon's, e.g. http://127.0.0.1:8080.
The desk token is --token, or the environment variable DECLARED_DESK_TOKEN.
Every action but `state` needs --reason (free text, recorded with your desk name).

actions:
  state                                   what the desk has standing (GET /v1/desk)
  policy COUNCIL|night auto|approve|hold|default
                                          a council's call policy (default: follow the night's)
  release COUNCIL|night [--policy auto|approve]
                                          end a hold (the policy becomes auto unless given)
  approve COUNCIL [--control PARTY]       publish the council's proposed call
  override COUNCIL PARTY|NOC              call the council yourself
  return COUNCIL                          hand the council back to the arithmetic
  withdraw COUNCIL WARD REVISION          withdraw a result posted in error
  recount COUNCIL WARD                    mark a ward as recounting
  adjourn COUNCIL WARD [--expected-at T]  mark a ward's count adjourned (resumes at T, UTC)
  clear COUNCIL WARD                      clear a ward's recount or adjournment mark
  embargo [--until T]                     hold every call until T (UTC) or until lifted
  lift                                    lift the embargo: held calls follow

options)";

struct Parsed {
    std::string url, action, reason, token, policy, control, expected_at, until;
    std::vector<std::string> args;
};

// The JSON body for the action, or an error message for the user.
std::variant<boost::json::object, std::string> body_for(const Parsed& p) {
    const auto& a = p.args;
    auto need = [&](std::size_t n, const char* shape) -> std::string {
        if (a.size() != n) return std::string("usage: declared desk URL ") + p.action + " " + shape;
        return {};
    };
    auto council_or_night = [](const std::string& s) { return s == "night" ? std::string() : s; };
    boost::json::object o;
    std::string bad;
    if (p.action == "policy") {
        if (!(bad = need(2, "COUNCIL|night auto|approve|hold|default")).empty()) return bad;
        o = {{"action", "policy"}, {"policy", a[1]}};
        if (!council_or_night(a[0]).empty()) o["council"] = a[0];
    } else if (p.action == "release") {
        if (!(bad = need(1, "COUNCIL|night [--policy auto|approve]")).empty()) return bad;
        o = {{"action", "release"}};
        if (!council_or_night(a[0]).empty()) o["council"] = a[0];
        if (!p.policy.empty()) o["policy"] = p.policy;
    } else if (p.action == "approve") {
        if (!(bad = need(1, "COUNCIL [--control PARTY]")).empty()) return bad;
        o = {{"action", "approve"}, {"council", a[0]}};
        if (!p.control.empty()) o["control"] = p.control;
    } else if (p.action == "override") {
        if (!(bad = need(2, "COUNCIL PARTY|NOC")).empty()) return bad;
        o = {{"action", "override"}, {"council", a[0]}, {"control", a[1]}};
    } else if (p.action == "return") {
        if (!(bad = need(1, "COUNCIL")).empty()) return bad;
        o = {{"action", "return"}, {"council", a[0]}};
    } else if (p.action == "withdraw") {
        if (!(bad = need(3, "COUNCIL WARD REVISION")).empty()) return bad;
        char* end = nullptr;
        const long long revision = std::strtoll(a[2].c_str(), &end, 10);
        if (a[2].empty() || *end != '\0') return "REVISION must be a whole number, got '" + a[2] + "'";
        o = {{"action", "withdraw"}, {"council", a[0]}, {"ward", a[1]}, {"revision", revision}};
    } else if (p.action == "recount" || p.action == "adjourn" || p.action == "clear") {
        if (!(bad = need(2, "COUNCIL WARD")).empty()) return bad;
        const char* state = p.action == "recount" ? "recount" : p.action == "adjourn" ? "count_adjourned" : "none";
        o = {{"action", "ward_state"}, {"council", a[0]}, {"ward", a[1]}, {"state", state}};
        if (!p.expected_at.empty()) o["expected_at"] = p.expected_at;
    } else if (p.action == "embargo" || p.action == "lift") {
        if (!(bad = need(0, p.action == "embargo" ? "[--until T]" : "")).empty()) return bad;
        o = {{"action", p.action == "embargo" ? "embargo" : "lift_embargo"}};
        if (!p.until.empty()) o["until"] = p.until;
    } else {
        return "unknown desk action '" + p.action + "' (see declared desk --help)";
    }
    o["reason"] = p.reason;
    return o;
}

// One request to the daemon; the exchange's answer or why there was none.
net::HttpExchange send(const net::HttpTarget& to, http::verb verb, const std::string& path,
                        const std::string& token, std::string body) {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    net::Request req{verb, path, 11};
    req.set(http::field::authorization, "Bearer " + token);
    if (verb == http::verb::post) {
        req.set(http::field::content_type, "application/json");
        req.body() = std::move(body);
        req.prepare_payload();
    }
    net::HttpExchange result;
    asio::co_spawn(ioc, net::http_exchange(resolver, to, std::move(req), std::chrono::seconds(30), 16u << 20),
                  [&](std::exception_ptr e, net::HttpExchange r) {
                      if (e) result.error = "the request failed";
                      else result = std::move(r);
                  });
    ioc.run();
    return result;
}

}  // namespace

int desk_command(const Args& args) {
    Parsed p;
    po::options_description opts(kUsage);
    opts.add_options()
        ("help,h", "show this help")
        ("reason", po::value(&p.reason), "why (required for every action but state)")
        ("token", po::value(&p.token), "desk token (default: $DECLARED_DESK_TOKEN)")
        ("policy", po::value(&p.policy), "release: the policy after the hold (auto or approve)")
        ("control", po::value(&p.control), "approve: the control you expect the proposal to call")
        ("expected-at", po::value(&p.expected_at), "adjourn: when counting resumes (UTC, 2022-05-06T10:00:00Z)")
        ("until", po::value(&p.until), "embargo: when it ends by itself (UTC)");
    po::options_description hidden;
    hidden.add_options()("url", po::value(&p.url))("action", po::value(&p.action))(
        "args", po::value(&p.args)->multitoken());
    po::positional_options_description pos;
    pos.add("url", 1).add("action", 1).add("args", -1);
    po::options_description all;
    all.add(opts).add(hidden);
    po::variables_map vm;
    if (auto exit = read_options("declared desk", po::command_line_parser(args).options(all).positional(pos), opts, vm))
        return *exit;
    if (p.url.empty() || p.action.empty()) return std::cerr << opts << '\n', 2;
    auto to = net::parse_http_url(p.url);
    if (!to) return std::cerr << "declared desk: URL must be http://HOST:PORT, got '" << p.url << "'\n", 2;
    if (p.token.empty())
        if (const char* env = std::getenv("DECLARED_DESK_TOKEN")) p.token = env;
    if (p.token.empty()) return std::cerr << "declared desk: no token: pass --token or set DECLARED_DESK_TOKEN\n", 2;

    net::HttpExchange answer;
    if (p.action == "state") {
        answer = send(*to, http::verb::get, "/v1/desk", p.token, {});
    } else {
        if (p.reason.empty()) return std::cerr << "declared desk: " << p.action << " needs --reason TEXT\n", 2;
        auto body = body_for(p);
        if (auto* bad = std::get_if<std::string>(&body)) return std::cerr << "declared desk: " << *bad << '\n', 2;
        answer = send(*to, http::verb::post, "/v1/desk/actions", p.token,
                      boost::json::serialize(std::get<boost::json::object>(body)));
    }
    if (!answer.response) return std::cerr << "declared desk: " << p.url << ": " << answer.error << '\n', 1;
    const auto& res = *answer.response;
    std::cout << res.body() << '\n';
    if (res.result() == http::status::ok) return 0;
    boost::system::error_code ec;
    auto v = boost::json::parse(res.body(), ec);
    std::string message = res.body();
    if (!ec && v.is_object())
        if (auto* err = v.as_object().if_contains("error"); err && err->is_object())
            if (auto* m = err->as_object().if_contains("message"); m && m->is_string()) message = m->as_string().c_str();
    std::cerr << "declared desk: refused (" << res.result_int() << "): " << message << '\n';
    return 1;
}

}  // namespace declared
