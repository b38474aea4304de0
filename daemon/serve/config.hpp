#pragma once
// `declared serve` configuration: flags, and a config file (INI) for the rest.
// A flag overrides the same key in the file. See deploy/declared.conf.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/commands.hpp"
#include "daemon/serve/web_config.hpp"
#include "net/http_types.hpp"
#include "model/error.hpp"

namespace declared {

struct ServeConfig {
    std::string card_path;
    std::string journal_path;
    std::string listen_address = "127.0.0.1";
    std::uint16_t listen_port = 8080;
    // --health.listen: /healthz and /readyz on a port and thread of their own; empty address: none.
    std::string health_address;
    std::uint16_t health_port = 0;
    std::chrono::milliseconds health_stall_limit{5000};
    bool repair_journal = false;
    unsigned threads = 2;
    std::string log_level = "info";
    std::map<std::string, std::string> ingest_tokens;  // token -> source name
    std::vector<std::string> read_tokens;  // any one reads every read route; none: a public night
    std::string metrics_token;             // /metrics alone; empty: /metrics follows the read tokens
    std::map<std::string, std::string> desk_tokens;  // token -> desk name; none: the desk API is refused
    net::ServerLimits limits;
    // Drop directory: files of JSON lines, ingested once each.
    std::string drop_dir;
    std::chrono::milliseconds drop_rescan{5000};
    // Upstream poll: GET url every interval, JSON lines, ETag-aware.
    std::string upstream_url;
    std::chrono::milliseconds upstream_interval{10'000};
    std::string upstream_token;  // sent as Bearer, optional
    std::chrono::milliseconds upstream_timeout{10'000};  // one poll: connect, send, read the whole body
    // Live feed (WebSocket /v1/feed).
    std::size_t feed_max_subscribers = 15000;
    std::size_t feed_max_subscribers_per_address = 1000;
    std::uint64_t feed_max_lag = 100'000;
    std::chrono::milliseconds feed_write_timeout{10'000};
    std::chrono::milliseconds feed_pong_timeout{30'000};
    std::chrono::milliseconds feed_heartbeat{5'000};
    std::size_t feed_retain = 1'000'000;  // events kept for since= readers
    std::string webhooks_path;  // JSON file of webhooks; empty: none
    std::string webhooks_dir;   // their cursors (file mode) and dead letters; empty: <journal>.webhooks
    // Cluster mode (docs/cluster.md): the journal is a NATS JetStream stream
    // instead of the file. Empty urls: file mode, the default.
    std::vector<std::string> cluster_urls;
    std::string cluster_stream = "DECLARED";
    int cluster_replicas = 3;
    std::string cluster_role = "primary";  // primary, standby or edge (daemon/serve/cluster_node.hpp)
    std::string cluster_node;              // this node's name in claims and heartbeats; default: the host name
    std::chrono::milliseconds cluster_heartbeat{500};
    std::chrono::milliseconds cluster_takeover_after{3000};
    std::uint64_t cluster_max_lag = 1000;  // messages; a follower further behind fails /readyz
    WebConfig web;  // web.*: CORS origins, frame-ancestors
};

// Parses `declared serve` arguments (and the --config file they name).
// Returns nullopt with exit code 0 after printing help; errors name the option.
struct ServeConfigParse {
    std::optional<ServeConfig> config;
    Error error;
    bool help = false;
    std::string help_text;
};
ServeConfigParse parse_serve_config(const Args& args);

// "ADDR:PORT" (IPv6 as [ADDR]:PORT); the error names --OPTION. Also for
// other commands that listen (upstream-sim).
std::optional<Error> parse_listen(const std::string& s, std::string& address, std::uint16_t& port,
                                  const char* option = "listen");

}  // namespace declared
