// declared webhook redeliver: POSTs the events in webhooks' dead-letter files
// again, as the daemon would (same URL, secret and body style, from the same
// webhooks file), and takes out of the file what the endpoint took. What it
// could not deliver stays, with the attempt's error printed. Safe while the
// daemon runs and appends (feed/dead_letter.hpp).
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "ingest/read_file.hpp"
#include "daemon/serve/webhook_config.hpp"
#include "feed/dead_letter.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace declared {

namespace {

// One dead letter delivered (true), or why not on stderr.
bool redeliver_line(const feed::WebhookOptions& w, const net::HttpTarget& to, const std::string& line) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    const auto* o = !ec && v.is_object() ? &v.as_object() : nullptr;
    const auto* seq = o ? o->if_contains("seq") : nullptr;
    const auto* type = o ? o->if_contains("type") : nullptr;
    const auto* event = o ? o->if_contains("event") : nullptr;
    if (!seq || !seq->is_number() || !type || !type->is_string() || !event) {
        std::cerr << "webhook " << w.name << ": a dead letter without seq, type and event is kept: " << line.substr(0, 200) << '\n';
        return false;
    }
    const std::string json = event->is_string() ? std::string(event->as_string()) : boost::json::serialize(*event);
    const auto n = seq->to_number<std::uint64_t>();
    const std::string kind(type->as_string());
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    std::optional<std::string> error;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { error = co_await feed::deliver_event(resolver, to, w, n, kind, json); },
        asio::detached);
    ioc.run();
    if (error) std::cerr << "webhook " << w.name << ": seq " << n << ": " << *error << " (kept)\n";
    return !error;
}

}  // namespace

int webhook_command(const Args& args) {
    po::options_description opts("declared webhook redeliver --webhooks FILE (--journal FILE | --webhooks.dir DIR) [--name NAME]");
    std::string hooks_path, journal, dir, name;
    opts.add_options()
        ("help,h", "show this help")
        ("webhooks", po::value(&hooks_path)->required(), "the webhooks file the daemon runs with")
        ("journal", po::value(&journal), "the daemon's journal: dead letters are in <journal>.webhooks/<name>.dead.jsonl")
        ("webhooks.dir", po::value(&dir), "the daemon's --webhooks.dir instead (cluster mode, or a file-mode daemon given one)")
        ("name", po::value(&name), "only this webhook (default: every one)");
    if (args.empty() || args.front() != "redeliver") {
        std::cerr << "declared webhook: expected 'redeliver'\n" << opts << '\n';
        return 2;
    }
    po::variables_map vm;
    po::command_line_parser parser(Args(args.begin() + 1, args.end()));
    parser.options(opts);
    if (auto exit = read_options("declared webhook redeliver", std::move(parser), opts, vm)) return *exit;
    auto text = read_file(hooks_path);
    if (!text.ok()) return std::cerr << "declared webhook redeliver: " << text.error.message() << '\n', 1;
    if (journal.empty() == dir.empty())
        return std::cerr << "declared webhook redeliver: give --journal or --webhooks.dir (one of them)\n", 2;
    auto hooks = parse_webhooks(*text.value, dir.empty() ? journal + ".webhooks" : dir);
    if (!hooks.ok()) return std::cerr << "declared webhook redeliver: " << hooks_path << ": " << hooks.error.message() << '\n', 1;
    bool all = true, found = name.empty();
    for (const auto& w : *hooks.value) {
        if (!name.empty() && w.name != name) continue;
        found = true;
        auto to = net::parse_http_url(w.url);
        if (!to) return std::cerr << "declared webhook redeliver: " << w.name << ": not an http:// URL: " << w.url << '\n', 1;
        auto r = feed::redeliver_dead_letters(w.dead_letter_path, [&](const std::string& line) { return redeliver_line(w, *to, line); });
        std::cout << "webhook " << w.name << ": redelivered " << r.delivered << " of " << r.taken << "; "
                  << r.taken - r.delivered << " left in " << w.dead_letter_path << '\n';
        if (!r.error.empty()) std::cerr << "webhook " << w.name << ": " << r.error << '\n';
        all = all && r.error.empty() && r.delivered == r.taken;
    }
    if (!found) return std::cerr << "declared webhook redeliver: no webhook '" << name << "' in " << hooks_path << '\n', 2;
    return all ? 0 : 1;
}

}  // namespace declared
