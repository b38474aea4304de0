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
#include "daemon/serve/config.hpp"
#include "daemon/serve/webhook_config.hpp"
#include "daemon/serve/webhook_metrics.hpp"
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

    auto card_text = read_file(cfg.card_path);
    if (!card_text.ok()) return spdlog::critical("card: {}", card_text.error.message()), 1;
    // Every problem at once, as `declared card check` reports it: a desk fixes
    // the card in one pass, not one error per restart.
    auto card = load_card(*card_text.value);
    for (const auto& w : card.report.warnings) spdlog::warn("card {}: {} [{}]", cfg.card_path, w.message(), w.code);
    for (const auto& e : card.report.errors) spdlog::critical("card {}: {} [{}]", cfg.card_path, e.message(), e.code);
    if (!card.card) return spdlog::critical("card {}: {} error(s): not serving", cfg.card_path, card.report.errors.size()), 1;
    if (card.card->election.test) spdlog::warn("the card is marked test: every event says so (rehearsal data)");

    boost::system::error_code ec;
    auto address = asio::ip::make_address(cfg.listen_address, ec);
    if (ec) return spdlog::critical("--listen: '{}' is not an IP address", cfg.listen_address), 1;

    Metrics metrics;
    SourceHealth sources;
    feed::EventHub hub(cfg.feed_retain);
    Ingest ingest(ioc, *card.card, hub, metrics);

    // The file journal by default; in cluster mode the JetStream stream.
    std::unique_ptr<Journal> journal_owner;
    std::string journal_name = cfg.journal_path;
    if (cfg.cluster_urls.empty()) {
        journal_owner = std::make_unique<FileJournal>(cfg.journal_path, FileJournalOptions{cfg.repair_journal});
    } else {
        cluster::JetStreamJournalOptions options;
        options.nats.urls = cfg.cluster_urls;
        options.nats.name = "declared " + card.card->election.id;
        options.stream = cfg.cluster_stream;
        options.replicas = cfg.cluster_replicas;
        options.card = *card_text.value;
        auto opened = cluster::JetStreamJournal::open(std::move(options));
        if (!opened.ok()) return spdlog::critical("cluster: {} [{}]", opened.error.message(), opened.error.code), 1;
        journal_name = (*opened.value)->where();
        journal_owner = std::move(*opened.value);
    }
    Journal& journal = *journal_owner;
    auto loaded = ingest.load(journal, !cfg.desk_tokens.empty());
    if (!loaded.ok()) {
        spdlog::critical("journal {}: {}", journal_name, loaded.error.message());
        if (loaded.error.code.starts_with("journal_corrupt"))
            spdlog::critical("hint: 'declared serve --repair-journal ...' keeps the valid records before the damage");
        return 1;
    }
    for (const auto& w : loaded.value->warnings) spdlog::warn("journal {}: {}", journal_name, w.message());
    if (auto* js = dynamic_cast<cluster::JetStreamJournal*>(&journal))
        spdlog::info("journal {}: epoch {}, card SHA-256 {}", journal_name, js->genesis().epoch, js->genesis().card_sha256);
    spdlog::info("journal {}: {} declarations replayed, last seq {}", journal_name, loaded.value->records,
                 hub.last_seq());

    GroupCommitOptions commit_options;
    commit_options.on_sync = [&metrics](double seconds) { metrics.journal_sync.observe(seconds); };
    GroupCommitter committer(journal, commit_options);
    ApiOptions api_options;
    api_options.access = AccessOptions{cfg.ingest_tokens, cfg.read_tokens, cfg.metrics_token, cfg.desk_tokens};
    if (cfg.ingest_tokens.empty()) spdlog::warn("no ingest tokens configured: POST /v1/declarations is refused");
    if (cfg.read_tokens.empty()) spdlog::info("no read tokens: the night is public (every read route answers anyone)");
    feed::FeedOptions feed_options;
    feed_options.election = card.card->election.id;
    feed_options.test = card.card->election.test;
    feed_options.max_subscribers = cfg.feed_max_subscribers;
    feed_options.max_subscribers_per_address = cfg.feed_max_subscribers_per_address;
    feed_options.max_lag = cfg.feed_max_lag;
    feed_options.write_timeout = cfg.feed_write_timeout;
    feed_options.pong_timeout = cfg.feed_pong_timeout;
    feed_options.heartbeat = cfg.feed_heartbeat;
    feed_options.shards = cfg.threads;
    const Card& the_card = *card.card;
    feed_options.council_known = [&the_card](std::string_view id) { return the_card.council(id) != nullptr; };
    feed_options.cors = net::CorsPolicy(cfg.web.allow_origins);
    api_options.cors = feed_options.cors;
    api_options.frame_ancestors = cfg.web.frame_ancestors;
    api_options.council_known = feed_options.council_known;
    // Heartbeats and stuck writes are checked for every subscriber at twice the
    // rate of the smaller of the two intervals.
    const auto tick = std::max(std::chrono::milliseconds(10),
                               std::min(feed_options.heartbeat, feed_options.write_timeout) / 2);
    feed::Ticker ticker(asio::make_strand(ioc), hub, tick);
    ticker.start();
    feed::FeedEndpoint feed(ioc, hub, std::move(feed_options));
    Api api(api_options, ingest, hub, metrics, &committer, &sources);
    api.set_feed(&feed);
    std::optional<net::Server> server;
    try {
        server.emplace(ioc, asio::ip::tcp::endpoint(address, cfg.listen_port), cfg.limits, api, &feed);
    } catch (const boost::system::system_error& e) {
        return spdlog::critical("cannot listen on {}:{}: {}", cfg.listen_address, cfg.listen_port, e.code().message()), 1;
    }
    api.set_server(&*server);
    server->start();
    ingest.start(committer);
    auto ep = server->local_endpoint();
    spdlog::info("listening on http://{}:{}", ep.address().to_string(), ep.port());

    // The drop directory first: its files are on disk already.
    std::vector<std::unique_ptr<Source>> inputs;
    if (!cfg.drop_dir.empty())
        inputs.push_back(std::make_unique<DropSource>(ioc, ingest, sources, cfg.drop_dir, cfg.drop_rescan));
    if (!cfg.upstream_url.empty())
        inputs.push_back(std::make_unique<UpstreamSource>(
            ioc, ingest, UpstreamOptions{cfg.upstream_url, cfg.upstream_interval, cfg.upstream_token, cfg.upstream_timeout}));
    for (auto& input : inputs)
        if (auto e = input->start()) return spdlog::critical("{}", e->message()), 1;
    std::vector<std::unique_ptr<feed::Webhook>> webhooks;
    if (!cfg.webhooks_path.empty()) {
        auto text = read_file(cfg.webhooks_path);
        if (!text.ok()) return spdlog::critical("webhooks: {}", text.error.message()), 1;
        const std::string cursor_dir = cfg.journal_path + ".webhooks";
        std::error_code mk;
        std::filesystem::create_directories(cursor_dir, mk);
        if (mk) return spdlog::critical("webhooks: cannot create {}: {}", cursor_dir, mk.message()), 1;
        auto parsed_hooks = parse_webhooks(*text.value, cursor_dir);
        if (!parsed_hooks.ok()) return spdlog::critical("webhooks {}: {}", cfg.webhooks_path, parsed_hooks.error.message()), 1;
        for (auto& options : *parsed_hooks.value) {
            webhooks.push_back(std::make_unique<feed::Webhook>(ioc, hub, std::move(options)));
            if (auto e = webhooks.back()->start()) return spdlog::critical("{}", e->message()), 1;
        }
        metrics.add_renderer([&webhooks](std::string& out) { render_webhook_metrics(out, webhooks); });
    }

    // Shutdown: stop accepting, refuse new batches, let in-flight ones reach
    // the journal and be answered, close idle connections, then return.
    std::thread flusher;
    signals.async_wait([&](const boost::system::error_code& sig_ec, int sig) {
        if (sig_ec) return;
        spdlog::info("signal {}: shutting down", sig);
        for (auto& input : inputs) input->stop();
        for (auto& w : webhooks) w->stop();
        server->stop();
        ticker.stop();
        feed.stop();
        ingest.stop();
        ingest.read([&](const Tally&) {
            // Everything accepted before stop() is queued now; flush it off the strand.
            flusher = std::thread([&] {
                committer.stop();
                asio::post(ioc, [&] { work.reset(); });
            });
        });
    });

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < cfg.threads; ++i) threads.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    if (flusher.joinable()) flusher.join();
    auto stats = committer.stats();
    spdlog::info("stopped: {} records durable in {} syncs; last seq {}", stats.records, stats.syncs, hub.last_seq());
    spdlog::default_logger()->flush();
    return 0;
}

}  // namespace declared
