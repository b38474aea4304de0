// declared tail URL: the newsroom alert bot in one line. Subscribes to the
// live feed, prints each event (house-style text or JSON), optionally runs a
// command per event, and reconnects with backoff, resuming after the last seq
// it saw: nothing missed, nothing twice, across daemon restarts.
#include <sys/wait.h>
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

namespace declared {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace po = boost::program_options;
using tcp = net::ip::tcp;

namespace {

struct TailOptions {
    std::string host, port, path = "/v1/feed";
    std::string types, councils, regions, token, format = "text", exec;
    std::optional<std::uint64_t> since;
};

// Runs cmd with the event on stdin and its text and keys in the environment;
// waits for it, so commands see events one at a time, in order.
int run_exec(const std::string& cmd, const std::string& json, const boost::json::object& e) {
    int in[2];
    if (pipe(in) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        close(in[0]);
        close(in[1]);
        auto str = [&](const char* k) {
            auto* v = e.if_contains(k);
            return v && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        setenv("DECLARED_TEXT", str("text").c_str(), 1);
        setenv("DECLARED_TYPE", str("type").c_str(), 1);
        setenv("DECLARED_COUNCIL", str("council").c_str(), 1);
        setenv("DECLARED_ID", str("id").c_str(), 1);
        setenv("DECLARED_SEQ", std::to_string(e.at("seq").to_number<std::uint64_t>()).c_str(), 1);
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(in[0]);
    std::string line = json + "\n";
    (void)!write(in[1], line.data(), line.size());
    close(in[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
    po::options_description opts("declared tail URL [options]");
    opts.add_options()
        ("help,h", "show this help")
        ("url", po::value(&url), "the daemon, e.g. http://127.0.0.1:8080 or ws://host:port/v1/feed")
        ("types", po::value(&o.types), "comma list of event types (default all)")
        ("councils", po::value(&o.councils), "comma list of council ids")
        ("regions", po::value(&o.regions), "comma list of regions")
        ("since", po::value(&since_opt), "start after this seq (0: the whole night); default: from now")
        ("format", po::value(&o.format), "text (house style, one line per event) or json (the event)")
        ("exec", po::value(&o.exec), "run this shell command per event: event JSON on stdin, DECLARED_TEXT etc. in the environment")
        ("token", po::value(&o.token), "subscriber token, if the feed needs one");
    po::positional_options_description positional;
    positional.add("url", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(opts).positional(positional).run(), vm);
        if (vm.count("help")) return std::cout << opts << '\n', 0;
        po::notify(vm);
    } catch (const po::error& e) {
        return std::cerr << "declared tail: " << e.what() << '\n', 2;
    }
    if (vm.count("since")) o.since = since_opt;
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
            net::io_context ioc;
            tcp::resolver resolver(ioc);
            websocket::stream<tcp::socket> ws(ioc);
            net::connect(ws.next_layer(), resolver.resolve(o.host, o.port));
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
                        // Current state, not news: start live after it.
                        last = v.at("seq").to_number<std::uint64_t>();
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
                    if (!o.exec.empty()) {
                        int rc = run_exec(o.exec, line, v);
                        if (rc != 0) std::cerr << "tail: --exec exited " << rc << " for seq " << seq << '\n';
                    }
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
