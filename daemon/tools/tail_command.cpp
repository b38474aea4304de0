// declared tail URL: the newsroom alert bot in one line. Subscribes to the
// live feed, prints each event (house-style text or JSON), optionally runs a
// command per event, and reconnects with backoff, resuming after the last seq
// it saw: nothing missed, nothing twice, across daemon restarts. An event
// whose command failed (after its retries) or that the daemon no longer held
// is said on stderr, and tail's exit status on SIGTERM or SIGINT is then 3.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "daemon/tools/event_exec.hpp"

namespace declared {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
namespace po = boost::program_options;
using tcp = asio::ip::tcp;

namespace {

struct TailOptions {
    std::string host, port, path = "/v1/feed";
    std::string types, councils, regions, token, format = "text";
    ExecOptions exec;
    std::optional<std::uint64_t> since;
};

// What SIGTERM and SIGINT see: tail exits at once between events, and after
// the command in flight otherwise, so a command is never cut off by a stop.
volatile sig_atomic_t g_in_exec = 0;
volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_missed = 0;  // events whose command failed, or that were not received

int exit_status() { return g_missed ? 3 : 0; }

void on_stop(int) {
    g_stop = 1;
    if (!g_in_exec) _exit(exit_status());
}

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    ignore_sigpipe();
}

std::string field(const boost::json::object& e, const char* k) {
    auto* v = e.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Runs the command for one event; a failure after every retry is said, with
// the event, and counted in the exit status.
void exec_for(const ExecOptions& exec, const std::string& line, const boost::json::object& e, std::uint64_t seq) {
    ExecEvent ev{line, field(e, "text"), field(e, "type"), field(e, "council"), field(e, "id"), seq};
    g_in_exec = 1;
    auto outcome = run_exec(exec, ev);
    g_in_exec = 0;
    if (!outcome.ok) {
        g_missed = 1;
        std::cerr << "tail: --exec failed for seq " << seq << " (" << ev.type << " " << ev.id << "): " << outcome.failure
                  << " after " << outcome.attempts << (outcome.attempts == 1 ? " attempt" : " attempts")
                  << "; this event's command did not succeed" << std::endl;
    }
    if (g_stop) _exit(exit_status());
}

std::string target(const TailOptions& o, std::optional<std::uint64_t> since) {
    std::string t = o.path + "?";
    auto add = [&](const char* k, const std::string& v) {
        if (!v.empty()) t += std::string(k) + "=" + v + "&";  // values are ids and type names: no escaping needed
    };
    add("types", o.types);
    add("councils", o.councils);
    add("regions", o.regions);
    if (since) t += "since=" + std::to_string(*since) + "&";
    t.pop_back();
    return t;
}

}  // namespace

int tail_command(const Args& args) {
    TailOptions o;
    std::string url;
    std::uint64_t since_opt = 0;
    unsigned exec_timeout_ms = 30'000;
    int exec_retries = 2;
    po::options_description opts("declared tail URL [options]");
    opts.add_options()
        ("help,h", "show this help")
        ("url", po::value(&url), "the daemon, e.g. http://127.0.0.1:8080 or ws://host:port/v1/feed")
        ("types", po::value(&o.types), "comma list of event types (default all)")
        ("councils", po::value(&o.councils), "comma list of council ids")
        ("regions", po::value(&o.regions), "comma list of regions")
        ("since", po::value(&since_opt), "start after this seq (0: the whole night); default: from now")
        ("format", po::value(&o.format), "text (house style, one line per event) or json (the event)")
        ("exec", po::value(&o.exec.command), "run this shell command per event: event JSON on stdin, DECLARED_TEXT etc. in the environment")
        ("exec-timeout-ms", po::value(&exec_timeout_ms), "kill a command still running after this long (default 30000)")
        ("exec-retries", po::value(&exec_retries), "run a failed command again this many times, with backoff (default 2)")
        ("token", po::value(&o.token), "subscriber token, if the feed needs one");
    po::positional_options_description positional;
    positional.add("url", 1);
    po::variables_map vm;
    if (auto exit = read_options("declared tail", po::command_line_parser(args).options(opts).positional(positional), opts, vm))
        return *exit;
    if (vm.count("since")) o.since = since_opt;
    if (exec_timeout_ms == 0 || exec_retries < 0)
        return std::cerr << "declared tail: --exec-timeout-ms must be above 0 and --exec-retries 0 or more\n", 2;
    o.exec.timeout = std::chrono::milliseconds(exec_timeout_ms);
    o.exec.retries = exec_retries;
    install_stop_handlers();
    if (o.format != "text" && o.format != "json") return std::cerr << "declared tail: --format is text or json\n", 2;
    auto u = boost::urls::parse_uri(url);
    if (url.empty() || !u || (u->scheme() != "http" && u->scheme() != "ws") || u->host().empty())
        return std::cerr << "declared tail: expected a URL like http://127.0.0.1:8080, got '" << url << "'\n", 2;
    o.host = u->host();
    o.port = u->has_port() ? std::string(u->port()) : "80";
    if (!u->path().empty() && u->path() != "/") o.path = u->path();

    std::optional<std::uint64_t> last = o.since;  // newest seq handled
    auto backoff = std::chrono::milliseconds(250);
    for (;;) {
        try {
            asio::io_context ioc;
            tcp::resolver resolver(ioc);
            websocket::stream<tcp::socket> ws(ioc);
            asio::connect(ws.next_layer(), resolver.resolve(o.host, o.port));
            ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
                if (!o.token.empty()) req.set(beast::http::field::authorization, "Bearer " + o.token);
            }));
            ws.handshake(o.host, target(o, last));
            std::cerr << "tail: connected to " << o.host << ':' << o.port << (last ? " after seq " + std::to_string(*last) : "") << '\n';
            backoff = std::chrono::milliseconds(250);
            bool in_snapshot = false;
            for (;;) {
                beast::flat_buffer buffer;
                ws.read(buffer);
                std::string msg = beast::buffers_to_string(buffer.data());
                std::size_t pos = 0;
                while (pos < msg.size()) {
                    auto end = msg.find('\n', pos);
                    if (end == std::string::npos) end = msg.size();
                    std::string line = msg.substr(pos, end - pos);
                    pos = end + 1;
                    auto v = boost::json::parse(line).as_object();
                    std::string type(v.at("type").as_string());
                    if (type == "hello") {
                        if (auto* n = v.if_contains("notice")) std::cerr << "tail: " << n->as_string().c_str() << '\n';
                        in_snapshot = false;
                        continue;
                    }
                    if (type == "snapshot") {
                        // Current state, not news: start live after it. Resuming into a
                        // snapshot means the daemon no longer held what came between.
                        const auto at = v.at("seq").to_number<std::uint64_t>();
                        if (last && at > *last) {
                            g_missed = 1;
                            std::cerr << "tail: events after seq " << *last << " up to " << at
                                      << " are no longer held by the daemon: not printed or run (resumed from its snapshot)"
                                      << std::endl;
                        }
                        last = at;
                        in_snapshot = true;
                        continue;
                    }
                    if (type == "heartbeat") {
                        last = std::max(last.value_or(0), v.at("seq").to_number<std::uint64_t>());
                        continue;
                    }
                    if (in_snapshot) continue;
                    auto seq = v.at("seq").to_number<std::uint64_t>();
                    if (last && seq <= *last) continue;  // seen before a reconnect
                    if (o.format == "json") std::cout << line << '\n';
                    else std::cout << v.at("text").as_string().c_str() << '\n';
                    std::cout.flush();
                    if (!std::cout) {  // the reader of our stdout is gone (SIGPIPE is ignored here)
                        std::cerr << "tail: stdout is closed; stopping at seq " << seq << std::endl;
                        return exit_status();
                    }
                    if (!o.exec.command.empty()) exec_for(o.exec, line, v, seq);
                    last = seq;
                }
                in_snapshot = false;
            }
        } catch (const boost::system::system_error& e) {
            std::cerr << "tail: " << e.code().message();
            if (e.code() == websocket::error::closed) std::cerr << " (server closed the feed)";
            std::cerr << "; reconnecting in " << backoff.count() << " ms\n";
        } catch (const std::exception& e) {
            std::cerr << "tail: " << e.what() << "; reconnecting in " << backoff.count() << " ms\n";
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
    }
}

}  // namespace declared
