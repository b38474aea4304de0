#include "daemon/serve/config.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "model/declaration_json.hpp"

namespace declared {

namespace po = boost::program_options;

namespace {

Error option_error(std::string option, std::string expected, std::string got) {
    return Error{"bad_option", "--" + option, std::move(expected), std::move(got)};
}

}  // namespace

// "ADDR:PORT" (IPv6 as [ADDR]:PORT).
std::optional<Error> parse_listen(const std::string& s, std::string& address, std::uint16_t& port_out,
                                  const char* option) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
        return option_error(option, "ADDR:PORT such as 127.0.0.1:8080", "'" + s + "'");
    std::string addr = s.substr(0, colon);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(s.substr(colon + 1), &used);
        if (used != s.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
    } catch (const std::exception&) {
        return option_error(option, "a port from 0 to 65535", "'" + s.substr(colon + 1) + "'");
    }
    address = addr;
    port_out = static_cast<std::uint16_t>(port);
    return std::nullopt;
}

namespace {

// "source:token" names the source; a bare token is the source "push".
void add_token(const std::string& spec, ServeConfig& c) {
    auto colon = spec.find(':');
    if (colon == std::string::npos) c.ingest_tokens[spec] = "push";
    else c.ingest_tokens[spec.substr(colon + 1)] = spec.substr(0, colon);
}

}  // namespace

ServeConfigParse parse_serve_config(const Args& args) {
    ServeConfigParse out;
    ServeConfig c;
    std::string listen = "127.0.0.1:8080", config_file;
    std::vector<std::string> tokens, desk_tokens;
    std::string cluster_url;
    std::size_t body = c.limits.max_body_bytes, header = c.limits.max_header_bytes,
                connections = c.limits.max_connections, per_address = c.limits.max_connections_per_address,
                reserved = c.limits.reserved_connections, send_buffer = c.limits.send_buffer_bytes;
    long timeout_ms = c.limits.request_timeout.count(), rescan_ms = c.drop_rescan.count(),
         upstream_ms = c.upstream_interval.count(), upstream_timeout_ms = c.upstream_timeout.count(),
         feed_write_ms = c.feed_write_timeout.count(),
         pong_ms = c.feed_pong_timeout.count(),
         heartbeat_ms = c.feed_heartbeat.count(), cluster_heartbeat_ms = c.cluster_heartbeat.count(),
         takeover_ms = c.cluster_takeover_after.count(), health_stall_ms = c.health_stall_limit.count();
    std::string health_listen;

    po::options_description flags_only("Command line");
    flags_only.add_options()
        ("help,h", "show this help")
        ("config", po::value(&config_file), "config file (INI); flags override it")
        ("repair-journal", po::bool_switch(&c.repair_journal), "cut a damaged journal at its first bad record and start");
    po::options_description shared("Command line or config file");
    shared.add_options()
        ("card", po::value(&c.card_path), "election card (JSON)")
        ("journal", po::value(&c.journal_path), "journal file of accepted declarations (created if absent)")
        ("listen", po::value(&listen), "ADDR:PORT to serve HTTP and WebSockets on (port 0: any free port)")
        ("health.listen", po::value(&health_listen), "ADDR:PORT to answer /healthz and /readyz on, with a thread of its own, so probes never wait behind client traffic (default: none; the main port answers them too)")
        ("health.stall_ms", po::value(&health_stall_ms), "the health port's /healthz fails (503 io_stalled) when the I/O threads have not run for this long")
        ("threads", po::value(&c.threads), "I/O threads")
        ("log-level", po::value(&c.log_level), "trace, debug, info, warn, error")
        ("ingest-token", po::value(&tokens)->composing(), "bearer token allowed to POST declarations ([source:]token; repeatable)")
        ("read-token", po::value(&c.read_tokens)->composing(), "token every read route needs (REST, feed, exports; Bearer or token=; repeatable); none: a public night")
        ("metrics-token", po::value(&c.metrics_token), "token /metrics needs; empty: /metrics follows --read-token")
        ("desk-token", po::value(&desk_tokens)->composing(), "results-desk token, NAME:TOKEN (NAME is recorded as who did each action; repeatable); none: the desk API and /desk are refused")
        ("limits.max_body_bytes", po::value(&body), "largest request body (413 beyond)")
        ("limits.max_header_bytes", po::value(&header), "largest request header block (431 beyond)")
        ("limits.max_connections", po::value(&connections), "open connections (beyond: the oldest idle one is closed, else 503)")
        ("limits.max_connections_per_address", po::value(&per_address), "open connections from one address (0: no limit; raise it behind a proxy)")
        ("limits.reserved_connections", po::value(&reserved), "connections beyond max_connections kept for requests with an ingest token")
        ("limits.send_buffer_bytes", po::value(&send_buffer), "each connection's kernel send buffer (0: the kernel's autotuning); bounds what a client that never reads costs")
        ("feed.max_subscribers_per_address", po::value(&c.feed_max_subscribers_per_address), "WebSocket subscribers from one address (0: no limit)")
        ("limits.request_timeout_ms", po::value(&timeout_ms), "a request must arrive within this (408 beyond)")
        ("drop.dir", po::value(&c.drop_dir), "watched directory of declaration files (JSON lines)")
        ("drop.rescan_ms", po::value(&rescan_ms), "rescan the drop directory this often as a fallback to inotify")
        ("upstream.url", po::value(&c.upstream_url), "http:// URL of an upstream JSON-lines feed to poll")
        ("upstream.interval_ms", po::value(&upstream_ms), "poll interval")
        ("upstream.token", po::value(&c.upstream_token), "bearer token for the upstream")
        ("upstream.timeout_ms", po::value(&upstream_timeout_ms), "a poll must be answered within this (else it fails and is retried)")
        ("feed.max_subscribers", po::value(&c.feed_max_subscribers), "WebSocket subscribers (503 beyond)")
        ("feed.max_lag", po::value(&c.feed_max_lag), "events a subscriber may fall behind before it is closed (4008)")
        ("feed.write_timeout_ms", po::value(&feed_write_ms), "a subscriber that takes no data this long is dropped")
        ("feed.pong_timeout_ms", po::value(&pong_ms), "a subscriber that leaves a heartbeat's ping unanswered this long is dropped")
        ("feed.heartbeat_ms", po::value(&heartbeat_ms), "heartbeat interval for idle subscribers")
        ("feed.retain", po::value(&c.feed_retain), "events kept for since= readers (older ones get a snapshot)")
        ("webhooks", po::value(&c.webhooks_path), "JSON file of webhooks (URL, event filter, HMAC secret)")
        ("webhooks.dir", po::value(&c.webhooks_dir), "directory of the webhooks' cursors and dead letters (default: <journal>.webhooks); cluster mode: dead letters only (cursors are in the stream's bucket), and required with --webhooks")
        ("cluster.url", po::value(&cluster_url), "cluster mode: NATS server URLs, comma-separated (nats://host:port,...); the journal is then the JetStream stream --cluster.stream instead of --journal (docs/cluster.md)")
        ("cluster.stream", po::value(&c.cluster_stream), "cluster mode: the JetStream stream holding the night's journal (created if absent)")
        ("cluster.max_lag", po::value(&c.cluster_max_lag), "cluster mode: a standby or edge more than this many messages behind the stream fails /readyz (503 cluster_behind) until it catches up")
        ("cluster.replicas", po::value(&c.cluster_replicas), "cluster mode: replicas of a stream created here (3; 1 for a single server)")
        ("cluster.role", po::value(&c.cluster_role), "cluster mode: primary (writes the stream), standby (follows, takes over when the primary falls silent) or edge (follows, serves reads)")
        ("cluster.node", po::value(&c.cluster_node), "cluster mode: this node's name in writer claims and heartbeats (default: the host name)")
        ("cluster.heartbeat_ms", po::value(&cluster_heartbeat_ms), "cluster mode: the primary's heartbeat interval")
        ("cluster.takeover_ms", po::value(&takeover_ms), "cluster mode: a standby tries to take over after this long without a heartbeat");
    WebOptionValues web;
    add_web_options(shared, web);
    po::options_description all;
    all.add(flags_only).add(shared);
    std::ostringstream help;
    help << "declared serve --card FILE (--journal FILE | --cluster.url URL[,URL]) [--listen ADDR:PORT] [--config FILE] [options]\n"
         << all;
    out.help_text = help.str();

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).run(), vm);
        if (vm.count("help")) {
            out.help = true;
            return out;
        }
        if (vm.count("config")) {
            std::ifstream in(vm["config"].as<std::string>());
            if (!in) {
                out.error = option_error("config", "a readable config file", "'" + vm["config"].as<std::string>() + "'");
                return out;
            }
            po::store(po::parse_config_file(in, shared, false), vm);  // command line stored first wins
        }
        po::notify(vm);
    } catch (const po::error& e) {
        out.error = Error{"bad_option", "command line or config", "options as in 'declared serve --help'", e.what()};
        return out;
    }
    if (c.card_path.empty()) return out.error = option_error("card", "an election card file", "nothing"), out;
    for (std::size_t start = 0; !cluster_url.empty() && start <= cluster_url.size();) {
        const auto comma = cluster_url.find(',', start);
        const std::string url = cluster_url.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!url.starts_with("nats://") || url.size() == 7)
            return out.error = option_error("cluster.url", "nats://HOST:PORT URLs separated by commas", "'" + url + "'"), out;
        c.cluster_urls.push_back(url);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (c.cluster_urls.empty()) {
        if (c.journal_path.empty()) return out.error = option_error("journal", "a journal file path (or --cluster.url)", "nothing"), out;
        if (c.webhooks_dir.empty()) c.webhooks_dir = c.journal_path + ".webhooks";
    } else {
        // One truth per daemon: a file beside the stream would be a second journal.
        if (!c.journal_path.empty())
            return out.error = option_error("journal", "no journal file in cluster mode (the stream is the journal)",
                                            "'" + c.journal_path + "' with --cluster.url"), out;
        if (c.repair_journal)
            return out.error = option_error("repair-journal", "file mode (a stream is never cut)", "--cluster.url"), out;
        if (!c.webhooks_path.empty() && c.webhooks_dir.empty())
            return out.error = option_error("webhooks.dir", "a local directory for the webhooks' dead letters in cluster mode",
                                            "nothing"), out;
        if (c.cluster_stream.empty() || c.cluster_stream.find_first_of(" .*>\t") != std::string::npos)
            return out.error = option_error("cluster.stream", "a stream name without spaces, '.', '*' or '>'",
                                            "'" + c.cluster_stream + "'"), out;
        if (c.cluster_max_lag < 1)
            return out.error = option_error("cluster.max_lag", "at least 1 message", std::to_string(c.cluster_max_lag)), out;
        if (c.cluster_replicas < 1 || c.cluster_replicas > 5)
            return out.error = option_error("cluster.replicas", "1 to 5", std::to_string(c.cluster_replicas)), out;
        if (c.cluster_role != "primary" && c.cluster_role != "standby" && c.cluster_role != "edge")
            return out.error = option_error("cluster.role", "primary, standby or edge", "'" + c.cluster_role + "'"), out;
        if (cluster_heartbeat_ms < 50)
            return out.error = option_error("cluster.heartbeat_ms", "at least 50", std::to_string(cluster_heartbeat_ms)), out;
        if (takeover_ms < 2 * cluster_heartbeat_ms)
            return out.error = option_error("cluster.takeover_ms", "at least two heartbeats (" + std::to_string(2 * cluster_heartbeat_ms) + ")",
                                            std::to_string(takeover_ms)), out;
        c.cluster_heartbeat = std::chrono::milliseconds(cluster_heartbeat_ms);
        c.cluster_takeover_after = std::chrono::milliseconds(takeover_ms);
        if (c.cluster_node.empty()) {
            char host[256] = {};
            c.cluster_node = ::gethostname(host, sizeof host - 1) == 0 && host[0] ? host : "declared";
        }
    }
    if (auto e = parse_listen(listen, c.listen_address, c.listen_port)) return out.error = *e, out;
    if (!health_listen.empty()) {
        if (auto e = parse_listen(health_listen, c.health_address, c.health_port, "health.listen")) return out.error = *e, out;
        if (c.health_address == c.listen_address && c.health_port != 0 && c.health_port == c.listen_port)
            return out.error = option_error("health.listen", "another port than --listen's", "'" + health_listen + "'"), out;
    }
    if (health_stall_ms < 200)
        return out.error = option_error("health.stall_ms", "at least 200 (the pulse runs every 100 ms)",
                                        std::to_string(health_stall_ms)), out;
    c.health_stall_limit = std::chrono::milliseconds(health_stall_ms);
    if (c.threads < 1 || c.threads > 64) return out.error = option_error("threads", "1 to 64", std::to_string(c.threads)), out;
    if (timeout_ms < 100) return out.error = option_error("limits.request_timeout_ms", "at least 100", std::to_string(timeout_ms)), out;
    if (rescan_ms < 100) return out.error = option_error("drop.rescan_ms", "at least 100", std::to_string(rescan_ms)), out;
    if (upstream_ms < 100) return out.error = option_error("upstream.interval_ms", "at least 100", std::to_string(upstream_ms)), out;
    if (upstream_timeout_ms < 100)
        return out.error = option_error("upstream.timeout_ms", "at least 100", std::to_string(upstream_timeout_ms)), out;
    if (pong_ms < 100) return out.error = option_error("feed.pong_timeout_ms", "at least 100", std::to_string(pong_ms)), out;
    if (feed_write_ms < 100) return out.error = option_error("feed.write_timeout_ms", "at least 100", std::to_string(feed_write_ms)), out;
    if (heartbeat_ms < 50) return out.error = option_error("feed.heartbeat_ms", "at least 50", std::to_string(heartbeat_ms)), out;
    if (c.feed_retain < 1) return out.error = option_error("feed.retain", "at least 1", "0"), out;
    if (c.feed_max_lag < 1) return out.error = option_error("feed.max_lag", "at least 1", "0"), out;
    if (body < 1024) return out.error = option_error("limits.max_body_bytes", "at least 1024", std::to_string(body)), out;
    for (const auto& t : c.read_tokens)
        if (t.empty()) return out.error = option_error("read-token", "a non-empty token", "''"), out;
    for (const auto& t : tokens) {
        if (t.empty() || t.back() == ':') return out.error = option_error("ingest-token", "[source:]token with a non-empty token", "'" + t + "'"), out;
        add_token(t, c);
    }
    for (const auto& t : desk_tokens) {
        const auto colon = t.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == t.size() || colon > 64)
            return out.error = option_error("desk-token", "NAME:TOKEN with a name of 1 to 64 bytes and a non-empty token",
                                            "'" + t.substr(0, 80) + "'"), out;
        // The name is journalled with every action: it must follow the journal's text rule.
        if (auto bad = DeclarationParser::check_source(t.substr(0, colon)))
            return out.error = option_error("desk-token", "a NAME of valid UTF-8", bad->message()), out;
        c.desk_tokens[t.substr(colon + 1)] = t.substr(0, colon);
    }
    if (auto e = apply_web_options(web, c.web)) return out.error = *e, out;
    c.limits.max_body_bytes = body;
    c.limits.max_header_bytes = header;
    c.limits.max_connections = connections;
    c.limits.max_connections_per_address = per_address;
    c.limits.reserved_connections = reserved;
    c.limits.send_buffer_bytes = send_buffer;
    c.limits.request_timeout = std::chrono::milliseconds(timeout_ms);
    c.drop_rescan = std::chrono::milliseconds(rescan_ms);
    c.upstream_interval = std::chrono::milliseconds(upstream_ms);
    c.upstream_timeout = std::chrono::milliseconds(upstream_timeout_ms);
    c.feed_write_timeout = std::chrono::milliseconds(feed_write_ms);
    c.feed_pong_timeout = std::chrono::milliseconds(pong_ms);
    c.feed_heartbeat = std::chrono::milliseconds(heartbeat_ms);
    out.config = std::move(c);
    return out;
}

}  // namespace declared
