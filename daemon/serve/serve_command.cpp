// declared serve: the long-running daemon. Wires the card, journal, ingest
// strand, HTTP server and sources together, and shuts them down in order.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "daemon/commands.hpp"
#include "daemon/serve/api.hpp"
#include "daemon/serve/cluster_metrics.hpp"
#include "daemon/serve/cluster_node.hpp"
#include "daemon/serve/config.hpp"
#include "daemon/serve/health_listener.hpp"
#include "daemon/serve/webhook_config.hpp"
#include "daemon/serve/webhook_set.hpp"
#include "feed/feed_endpoint.hpp"
#include "feed/ticker.hpp"
#include "ingest/ingest.hpp"
#include "ingest/logging.hpp"
#include "ingest/read_file.hpp"
#include "ingest/sources/drop_source.hpp"
#include "ingest/sources/upstream_source.hpp"
#include "cluster/jetstream_journal.hpp"
#include "journal/file_journal.hpp"
#include "journal/group_commit.hpp"
#include "model/card_json.hpp"
#include "net/server.hpp"

namespace declared {

namespace asio = boost::asio;

namespace {

struct LoadedCard {
    Card card;
    std::string text;  // as read: a cluster's genesis record carries it
};

// The card, with every problem reported at once, as `declared card check`
// does: a desk fixes the card in one pass, not one error per restart.
std::optional<LoadedCard> load_card_of(const ServeConfig& cfg) {
    auto text = read_file(cfg.card_path);
    if (!text.ok()) return spdlog::critical("card: {}", text.error.message()), std::nullopt;
    auto card = load_card(*text.value);
    for (const auto& w : card.report.warnings) spdlog::warn("card {}: {} [{}]", cfg.card_path, w.message(), w.code);
    for (const auto& e : card.report.errors) spdlog::critical("card {}: {} [{}]", cfg.card_path, e.message(), e.code);
    if (!card.card)
        return spdlog::critical("card {}: {} error(s): not serving", cfg.card_path, card.report.errors.size()), std::nullopt;
    if (card.card->election.test) spdlog::warn("the card is marked test: every event says so (rehearsal data)");
    return LoadedCard{std::move(*card.card), std::move(*text.value)};
}

// The file journal by default; in cluster mode the JetStream stream.
std::unique_ptr<Journal> open_journal(const ServeConfig& cfg, const LoadedCard& card, std::string& name) {
    name = cfg.journal_path;
    if (cfg.cluster_urls.empty()) return std::make_unique<FileJournal>(cfg.journal_path, FileJournalOptions{cfg.repair_journal});
    cluster::JetStreamJournalOptions options;
    options.nats.urls = cfg.cluster_urls;
    options.nats.name = "declared " + card.card.election.id;
    options.stream = cfg.cluster_stream;
    options.replicas = cfg.cluster_replicas;
    options.card = card.text;
    options.desk = !cfg.desk_tokens.empty();
    auto opened = cluster::JetStreamJournal::open(std::move(options));
    if (!opened.ok()) return spdlog::critical("cluster: {} [{}]", opened.error.message(), opened.error.code), nullptr;
    name = (*opened.value)->where();
    spdlog::info("journal {}: epoch {}, card SHA-256 {}", name, (*opened.value)->genesis().epoch,
                 (*opened.value)->genesis().card_sha256);
    return std::move(*opened.value);
}

bool replay_journal(const ServeConfig& cfg, const std::string& name, Ingest& ingest, Journal& journal,
                    const feed::EventHub& hub) {
    auto loaded = ingest.load(journal, !cfg.desk_tokens.empty());
    if (!loaded.ok()) {
        spdlog::critical("journal {}: {} [{}]", name, loaded.error.message(), loaded.error.code);
        if (loaded.error.code.starts_with("journal_corrupt"))
            spdlog::critical("hint: 'declared serve --repair-journal ...' keeps the valid records before the damage");
        return false;
    }
    for (const auto& w : loaded.value->warnings) spdlog::warn("journal {}: {}", name, w.message());
    spdlog::info("journal {}: {} declarations replayed, last seq {}", name, loaded.value->records, hub.last_seq());
    return true;
}

feed::FeedOptions feed_options_of(const ServeConfig& cfg, const Card& card) {
    feed::FeedOptions o;
    o.election = card.election.id;
    o.test = card.election.test;
    o.max_subscribers = cfg.feed_max_subscribers;
    o.max_subscribers_per_address = cfg.feed_max_subscribers_per_address;
    o.max_lag = cfg.feed_max_lag;
    o.write_timeout = cfg.feed_write_timeout;
    o.pong_timeout = cfg.feed_pong_timeout;
    o.heartbeat = cfg.feed_heartbeat;
    o.shards = cfg.threads;
    o.council_known = [&card](std::string_view id) { return card.council(id) != nullptr; };
    o.cors = net::CorsPolicy(cfg.web.allow_origins);
    return o;
}

ApiOptions api_options_of(const ServeConfig& cfg, const feed::FeedOptions& feed) {
    ApiOptions o;
    o.access = AccessOptions{cfg.ingest_tokens, cfg.read_tokens, cfg.metrics_token, cfg.desk_tokens};
    if (cfg.ingest_tokens.empty()) spdlog::warn("no ingest tokens configured: POST /v1/declarations is refused");
    if (cfg.read_tokens.empty()) spdlog::info("no read tokens: the night is public (every read route answers anyone)");
    o.cors = feed.cors;
    o.frame_ancestors = cfg.web.frame_ancestors;
    o.council_known = feed.council_known;
    o.cluster_max_lag = cfg.cluster_max_lag;
    return o;
}

ClusterNodeOptions cluster_options_of(const ServeConfig& cfg, const GroupCommitOptions& commit) {
    ClusterNodeOptions o;
    o.role = cfg.cluster_role == "standby" ? ClusterRole::standby
             : cfg.cluster_role == "edge"  ? ClusterRole::edge
                                           : ClusterRole::primary;
    o.node = cfg.cluster_node;
    o.heartbeat = cfg.cluster_heartbeat;
    o.takeover_after = cfg.cluster_takeover_after;
    o.commit = commit;
    return o;
}

// Heartbeats and stuck writes are checked for every subscriber at twice the
// rate of the smaller of the two intervals.
std::chrono::milliseconds tick_of(const feed::FeedOptions& o) {
    return std::max(std::chrono::milliseconds(10), std::min(o.heartbeat, o.write_timeout) / 2);
}

// The drop directory first: its files are on disk already.
bool start_sources(const ServeConfig& cfg, asio::io_context& ioc, Ingest& ingest, SourceHealth& health,
                   std::vector<std::unique_ptr<Source>>& out) {
    if (!cfg.drop_dir.empty()) out.push_back(std::make_unique<DropSource>(ioc, ingest, health, cfg.drop_dir, cfg.drop_rescan));
    if (!cfg.upstream_url.empty())
        out.push_back(std::make_unique<UpstreamSource>(
            ioc, ingest, UpstreamOptions{cfg.upstream_url, cfg.upstream_interval, cfg.upstream_token, cfg.upstream_timeout}));
    for (auto& input : out)
        if (auto e = input->start()) return spdlog::critical("{}", e->message()), false;
    return true;
}

// The webhooks file, if any; its webhooks keep their cursors and dead
// letters in the webhooks directory (cluster mode: cursors in the bucket).
bool webhooks_of(const ServeConfig& cfg, asio::io_context& ioc, feed::EventHub& hub, std::unique_ptr<WebhookSet>& out) {
    if (cfg.webhooks_path.empty()) return true;
    auto text = read_file(cfg.webhooks_path);
    if (!text.ok()) return spdlog::critical("webhooks: {}", text.error.message()), false;
    std::error_code mk;
    std::filesystem::create_directories(cfg.webhooks_dir, mk);
    if (mk) return spdlog::critical("webhooks: cannot create {}: {}", cfg.webhooks_dir, mk.message()), false;
    auto parsed = parse_webhooks(*text.value, cfg.webhooks_dir);
    if (!parsed.ok()) return spdlog::critical("webhooks {}: {}", cfg.webhooks_path, parsed.error.message()), false;
    out = std::make_unique<WebhookSet>(ioc, hub, std::move(*parsed.value));
    return true;
}

void run_threads(asio::io_context& ioc, unsigned threads) {
    std::vector<std::thread> extra;
    for (unsigned i = 1; i < threads; ++i) extra.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : extra) t.join();
}

}  // namespace

int serve_command(const Args& args) {
    auto parsed = parse_serve_config(args);
    if (parsed.help) return std::cout << parsed.help_text << '\n', 0;
    if (!parsed.config) return std::cerr << "declared serve: " << parsed.error.message() << '\n', 2;
    const ServeConfig& cfg = *parsed.config;
    setup_logging(cfg.log_level);
    asio::io_context ioc(static_cast<int>(cfg.threads));
    auto work = asio::make_work_guard(ioc);
    // Caught from here on: a SIGTERM during start-up waits in the set and
    // shuts down once the loop runs, instead of killing an undrained daemon.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    // A file-size limit must fail a journal write (EFBIG) like a full disk does,
    // which ingest answers with 503, rather than kill the daemon.
    ::signal(SIGXFSZ, SIG_IGN);

    const auto loaded_card = load_card_of(cfg);
    if (!loaded_card) return 1;
    const Card& card = loaded_card->card;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(cfg.listen_address, ec);
    if (ec) return spdlog::critical("--listen: '{}' is not an IP address", cfg.listen_address), 1;

    Metrics metrics;
    SourceHealth sources;
    feed::EventHub hub(cfg.feed_retain);
    Ingest ingest(ioc, card, hub, metrics);
    std::string journal_name;
    const auto journal = open_journal(cfg, *loaded_card, journal_name);
    if (!journal || !replay_journal(cfg, journal_name, ingest, *journal, hub)) return 1;
    GroupCommitOptions commit_options;
    commit_options.on_sync = [&metrics](double seconds) { metrics.journal_sync.observe(seconds); };
    // File mode: one committer for the daemon's life. Cluster mode: the node
    // makes one each time it becomes the stream's writer.
    std::optional<GroupCommitter> committer;
    std::unique_ptr<WebhookSet> webhooks;
    if (!webhooks_of(cfg, ioc, hub, webhooks)) return 1;
    std::unique_ptr<ClusterNode> node;
    std::function<void()> feed_lost;  // set once the feed exists; followers start after it
    if (auto* js = dynamic_cast<cluster::JetStreamJournal*>(journal.get())) {
        auto options = cluster_options_of(cfg, commit_options);
        if (webhooks) {
            auto bucket = cluster::CursorBucket::open(js->connection(), js->spec(), js->genesis().epoch);
            if (!bucket.ok()) return spdlog::critical("webhooks: {} [{}]", bucket.error.message(), bucket.error.code), 1;
            // Only the writer delivers; each term resumes the bucket's cursors.
            options.on_writer = [w = webhooks.get()](bool writing) {
                if (!writing) return w->stop();
                if (auto e = w->start()) spdlog::error("webhooks: {}", e->message());
            };
            webhooks->keep_cursors_in(std::move(*bucket.value), [&node] { return node->holds_lease(); });
        }
        // Subscribers of a node that cannot follow any more go elsewhere, from their seq.
        options.on_lost_stream = [&feed_lost](const Error&) {
            if (feed_lost) feed_lost();
        };
        node = std::make_unique<ClusterNode>(*js, ingest, std::move(options));
        metrics.add_renderer([js, n = node.get()](std::string& page) { render_cluster_metrics(page, *js, *n); });
    } else {
        committer.emplace(*journal, commit_options);
    }

    auto feed_options = feed_options_of(cfg, card);
    const auto api_options = api_options_of(cfg, feed_options);
    feed::Ticker ticker(asio::make_strand(ioc), hub, tick_of(feed_options));
    ticker.start();
    feed::FeedEndpoint feed(ioc, hub, std::move(feed_options));
    Api api(api_options, ingest, hub, metrics, committer ? &*committer : nullptr, &sources);
    api.set_feed(&feed);
    feed_lost = [&feed] { feed.lose_stream(); };
    api.set_cluster(node.get());
    std::optional<net::Server> server;
    try {
        server.emplace(ioc, asio::ip::tcp::endpoint(address, cfg.listen_port), cfg.limits, api, &feed);
    } catch (const boost::system::system_error& e) {
        return spdlog::critical("cannot listen on {}:{}: {}", cfg.listen_address, cfg.listen_port, e.code().message()), 1;
    }
    api.set_server(&*server);
    std::optional<HealthListener> health;
    if (!cfg.health_address.empty()) {
        const auto health_ip = asio::ip::make_address(cfg.health_address, ec);
        if (ec) return spdlog::critical("--health.listen: '{}' is not an IP address", cfg.health_address), 1;
        HealthOptions ho;
        ho.endpoint = asio::ip::tcp::endpoint(health_ip, cfg.health_port);
        ho.stall_limit = cfg.health_stall_limit;
        ho.readiness = [&api](const net::Request& req) { return api.readiness(req); };
        try {
            health.emplace(ioc, std::move(ho));
        } catch (const boost::system::system_error& e) {
            return spdlog::critical("cannot listen on {}:{} for health: {}", cfg.health_address, cfg.health_port,
                                    e.code().message()), 1;
        }
        health->start();
        const auto hep = health->local_endpoint();
        spdlog::info("health on http://{}:{} (/healthz, /readyz)", hep.address().to_string(), hep.port());
    }
    server->start();
    if (!node) {
        ingest.start(*committer);
    } else if (auto e = node->start()) {
        return spdlog::critical("cluster: {} [{}]", e->message(), e->code), 1;
    }
    const auto ep = server->local_endpoint();
    spdlog::info("listening on http://{}:{}", ep.address().to_string(), ep.port());

    std::vector<std::unique_ptr<Source>> inputs;
    if (!start_sources(cfg, ioc, ingest, sources, inputs)) return 1;
    if (webhooks) {
        metrics.add_renderer([w = webhooks.get()](std::string& page) { w->render_metrics(page); });
        if (!node) {
            if (auto e = webhooks->start()) return spdlog::critical("webhooks: {}", e->message()), 1;
        }
    }

    // Shutdown: stop accepting, refuse new batches, let in-flight ones reach
    // the journal and be answered, close idle connections, then return.
    std::thread flusher;
    signals.async_wait([&](const boost::system::error_code& sig_ec, int sig) {
        if (sig_ec) return;
        spdlog::info("signal {}: shutting down", sig);
        for (auto& input : inputs) input->stop();
        if (webhooks) webhooks->close();
        server->stop();
        if (health) health->stop();
        ticker.stop();
        feed.stop();
        ingest.stop();
        ingest.read([&](const Tally&) {
            // Everything accepted before stop() is queued now; flush it off the strand.
            flusher = std::thread([&] {
                if (node) node->stop();
                else committer->stop();
                asio::post(ioc, [&] { work.reset(); });
            });
        });
    });
    run_threads(ioc, cfg.threads);
    if (flusher.joinable()) flusher.join();
    const auto stats = node ? node->sync_stats() : committer->stats();
    spdlog::info("stopped: {} records durable in {} syncs; last seq {}", stats.records, stats.syncs, hub.last_seq());
    spdlog::default_logger()->flush();
    return 0;
}

}  // namespace declared
