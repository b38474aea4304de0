#include "daemon/tools/upstream_sim.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "daemon/tools/generate/rng.hpp"
#include "daemon/tools/night_file.hpp"
#include "ingest/read_file.hpp"

namespace declared {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Injected {
    std::size_t request;
    std::string kind, what;
};

class Sim {
public:
    // The night's lines are copied: night may point into a buffer the caller frees.
    Sim(const SimOptions& o, asio::io_context& ioc, const std::vector<NightLine>& night)
        : opt_(o), ioc_(ioc), rng_(o.seed), start_(Clock::now()) {
        for (const auto& l : night) {
            body_.append(l.text);
            body_ += '\n';
            ends_.push_back(body_.size());
            at_.push_back(l.at - night.front().at);
        }
        for (const auto& [kind, rate] : opt_.faults) owed_.insert(kind);
    }

    awaitable<void> accept(tcp::acceptor& acceptor) {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket s = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
            if (ec) co_return;
            asio::co_spawn(ioc_, serve(std::move(s)), asio::detached);
        }
    }

    // Ends the run: the report on stdout (and --report), then stop.
    void finish(std::string_view why) {
        if (finished_) return;
        finished_ = true;
        std::cerr << "upstream-sim: " << why << "\n";
        std::cout << report_text() << std::flush;
        if (!opt_.report_path.empty()) {
            std::ofstream out(opt_.report_path, std::ios::trunc);
            out << report_json();
            if (!out.flush()) std::cerr << "upstream-sim: --report: cannot write " << opt_.report_path << "\n";
        }
        ioc_.stop();
    }

private:
    std::size_t released() const {
        if (!opt_.speed) return at_.size();
        const double night = std::chrono::duration<double>(Clock::now() - start_).count() * *opt_.speed;
        return static_cast<std::size_t>(std::upper_bound(at_.begin(), at_.end(), static_cast<long long>(night)) - at_.begin());
    }
    std::string etag(std::size_t k) const { return "\"" + std::to_string(k) + "-" + std::to_string(generation_) + "\""; }
    bool holds_all(std::string_view if_none_match) const {
        return if_none_match.starts_with("\"" + std::to_string(at_.size()) + "-");
    }

    // At most one fault per answer, drawn by each kind's rate; once the whole
    // night is out, a kind named but not yet drawn is injected for certain.
    std::string draw(bool all_out) {
        for (const auto& [kind, rate] : opt_.faults)
            if (static_cast<double>(rng_.below(1'000'000)) < rate * 1e6) return kind;
        if (all_out && !owed_.empty()) return *owed_.begin();
        return {};
    }

    void note(std::size_t request, const std::string& kind, std::string what) {
        owed_.erase(kind);
        ++counts_[kind];
        std::cerr << "upstream-sim: request " << request << ": injected " << kind << ": " << what << "\n";
        injected_.push_back({request, kind, std::move(what)});
    }

    awaitable<void> serve(tcp::socket socket);
    awaitable<void> answer(tcp::socket& s, std::size_t request, const std::string& fault, std::string_view if_none_match);
    awaitable<bool> write(tcp::socket& s, std::string_view bytes) {
        boost::system::error_code ec;
        co_await asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), asio::redirect_error(use_awaitable, ec));
        co_return !ec;
    }
    awaitable<void> sleep(milliseconds ms) {
        asio::steady_timer t(ioc_, ms);
        boost::system::error_code ec;
        co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    std::string report_text() const;
    std::string report_json() const;

    const SimOptions& opt_;
    asio::io_context& ioc_;
    std::string body_;
    std::vector<std::size_t> ends_;  // body_ offset after each line
    std::vector<long long> at_;      // each line's time from the first, night seconds
    generate::Rng rng_;
    Clock::time_point start_;
    std::uint64_t generation_ = 0;  // bumped by etag_churn
    std::size_t requests_ = 0, full_ = 0, not_modified_ = 0, last_released_ = 0;
    std::set<std::string> owed_;  // kinds named but not yet injected
    std::map<std::string, std::size_t> counts_;
    std::vector<Injected> injected_;
    bool finished_ = false, over_ = false;
};

awaitable<void> Sim::serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    {
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(std::chrono::seconds(10));
        co_await http::async_read(stream, buffer, req, asio::redirect_error(use_awaitable, ec));
        socket = stream.release_socket();
    }
    if (ec) co_return;
    const std::size_t request = ++requests_;
    const std::string if_none_match(req[http::field::if_none_match]);
    const std::size_t k = released();
    last_released_ = k;
    const bool all_out = k == at_.size();
    const std::string fault = draw(all_out);
    co_await answer(socket, request, fault, if_none_match);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    // Over once the poller shows it holds the whole night and every named fault has been seen.
    if (all_out && owed_.empty() && holds_all(if_none_match) && !over_) {
        over_ = true;
        if (!opt_.stay) finish("the night is over: the poller holds all " + std::to_string(at_.size()) + " declarations");
        else std::cerr << "upstream-sim: the night is over; serving on until SIGTERM (--stay)\n";
    }
}

awaitable<void> Sim::answer(tcp::socket& s, std::size_t request, const std::string& fault, std::string_view if_none_match) {
    if (fault == "http500") {
        note(request, fault, "answered 500");
        co_await write(s, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 17\r\nConnection: close\r\n\r\ninjected by sim\r\n");
        co_return;
    }
    if (fault == "timeout") {
        const milliseconds hold = opt_.poller_timeout + milliseconds(500);
        note(request, fault, "held the connection " + std::to_string(hold.count()) + " ms without an answer");
        co_await sleep(hold);
        co_return;
    }
    if (fault == "etag_churn") ++generation_;
    const std::size_t k = last_released_;
    const std::string tag = etag(k);
    if (fault.empty() && if_none_match == tag) {
        ++not_modified_;
        co_await write(s, "HTTP/1.1 304 Not Modified\r\nETag: " + tag + "\r\nConnection: close\r\n\r\n");
        co_return;
    }
    const std::string_view body = std::string_view(body_).substr(0, k ? ends_[k - 1] : 0);
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nETag: " + tag +
                             "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    if (!co_await write(s, head)) co_return;
    if (fault == "truncated") {
        note(request, fault, "sent " + std::to_string(body.size() / 2) + " of " + std::to_string(body.size()) +
                                 " body bytes, then closed");
        co_await write(s, body.substr(0, body.size() / 2));
        co_return;
    }
    if (fault == "slow_body") {
        // A third of the poller's timeout in all: slow, but in time.
        const milliseconds step = opt_.poller_timeout / 30;
        note(request, fault, std::to_string(body.size()) + " bytes in 10 pieces, " + std::to_string(step.count()) + " ms apart");
        for (std::size_t piece = 0, size = body.size() / 10 + 1; piece * size < body.size(); ++piece) {
            if (!co_await write(s, body.substr(piece * size, size))) co_return;
            co_await sleep(step);
        }
    } else {
        if (fault == "etag_churn") note(request, fault, "new ETag " + tag + " for the same " + std::to_string(k) + " declarations");
        if (!co_await write(s, body)) co_return;
    }
    ++full_;
}

std::string Sim::report_text() const {
    std::string out = "upstream-sim report: seed " + std::to_string(opt_.seed) + ", " + std::to_string(requests_) +
                      " requests, " + std::to_string(full_) + " answered in full, " + std::to_string(not_modified_) +
                      " not modified; " + std::to_string(last_released_) + " of " + std::to_string(at_.size()) +
                      " declarations released" + (over_ ? "; the night is over" : "; the night is NOT over") + "\n";
    out += "injected " + std::to_string(injected_.size()) + " faults:\n";
    for (const auto& [kind, n] : counts_) out += "  " + kind + ": " + std::to_string(n) + "\n";
    for (const auto& i : injected_) out += "  request " + std::to_string(i.request) + ": " + i.kind + ": " + i.what + "\n";
    for (const auto& kind : owed_) out += "  " + kind + ": named but never injected\n";
    return out;
}

std::string Sim::report_json() const {
    namespace json = boost::json;
    json::object rates, counts;
    for (const auto& [k, r] : opt_.faults) rates[k] = r;
    for (const auto& [k, n] : counts_) counts[k] = n;
    json::array faults, owed;
    for (const auto& i : injected_) faults.push_back({{"request", i.request}, {"kind", i.kind}, {"what", i.what}});
    for (const auto& k : owed_) owed.push_back(json::string(k));
    json::object o{{"seed", opt_.seed},        {"rates", std::move(rates)},         {"requests", requests_},
                   {"answered_in_full", full_}, {"not_modified", not_modified_},     {"released", last_released_},
                   {"declarations", at_.size()}, {"night_over", over_},             {"injected", std::move(counts)},
                   {"faults", std::move(faults)}, {"never_injected", std::move(owed)}};
    return json::serialize(o) + "\n";
}

}  // namespace

int run_upstream_sim(const SimOptions& opt) {
    const std::string path = opt.night_dir + "/declarations.jsonl";
    auto text = read_file(path);
    if (!text.ok()) return std::cerr << "declared upstream-sim: " << text.error.message() << "\n", 1;
    DeclarationParser parser;
    auto night = read_night(*text.value, parser);
    if (night.empty()) return std::cerr << "declared upstream-sim: " << path << ": no declarations\n", 1;

    asio::io_context ioc;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(opt.address, ec);
    if (ec) return std::cerr << "declared upstream-sim: --listen: expected an IP address, got '" << opt.address << "'\n", 1;
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint want(address, opt.port);
    acceptor.open(want.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(want, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return std::cerr << "declared upstream-sim: --listen " << opt.address << ":" << opt.port << ": " << ec.message() << "\n", 1;

    const std::size_t count = night.size();
    Sim sim(opt, ioc, night);
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& e, int) {
        if (!e) sim.finish("stopped by a signal");
    });
    asio::co_spawn(ioc, sim.accept(acceptor), asio::detached);
    const auto ep = acceptor.local_endpoint();
    char speed[48] = "once (everything released)";
    if (opt.speed) std::snprintf(speed, sizeof speed, "%gx", *opt.speed);
    std::cerr << "upstream-sim: serving " << count << " declarations of " << opt.night_dir << " on http://"
              << ep.address().to_string() << ":" << ep.port() << "/ at " << speed << "\n";
    ioc.run();
    return 0;
}

}  // namespace declared
