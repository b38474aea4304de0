#include "feed/webhook.hpp"

#include "net/http_client.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

namespace declared::feed {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

std::string webhook_signature(std::string_view secret, std::string_view body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
    std::string out = "sha256=";
    char hex[3];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(hex, sizeof hex, "%02x", mac[i]);
        out += hex;
    }
    return out;
}

struct Webhook::Impl : Subscriber, std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& ioc, EventHub& h, WebhookOptions o)
        : hub(h), options(std::move(o)), strand(asio::make_strand(ioc)), timer(strand), resolver(strand) {}

    EventHub& hub;
    WebhookOptions options;
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;
    tcp::resolver resolver;
    net::HttpTarget to;
    std::atomic<std::uint64_t> cursor{0}, delivered{0}, failures{0};
    std::size_t hub_id = 0;
    bool stopped = false;

    void wake() override {
        asio::post(strand, [self = shared_from_this()] { self->timer.cancel(); });
    }

    awaitable<void> run() {
        auto self = shared_from_this();
        std::chrono::milliseconds backoff{250};
        std::vector<Event> next;
        while (!stopped) {
            next.clear();
            std::uint64_t examined = hub.read(cursor, options.filter, 1, 1 << 30, next);
            if (next.empty()) {
                if (examined != cursor) {
                    save(examined);  // nothing for us in between: move past it
                    continue;
                }
                boost::system::error_code ec;
                timer.expires_after(std::chrono::seconds(30));  // woken early by publishes
                co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
                continue;
            }
            const Event& e = next.front();
            if (auto error = co_await post(e)) {
                ++failures;
                if (failures == 1 || failures % 20 == 0)
                    spdlog::warn("webhook {}: seq {}: {} (attempt {}, retrying in {} ms)", options.name, e.seq, *error,
                                 failures.load(), backoff.count());
                boost::system::error_code ec;
                timer.expires_after(backoff);
                co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
                backoff = std::min(backoff * 2, options.max_backoff);
                continue;
            }
            backoff = std::chrono::milliseconds(250);
            ++delivered;
            save(e.seq);
        }
    }

    // One delivery; an error message when the endpoint did not take it.
    awaitable<std::optional<std::string>> post(const Event& e) {
        net::Request req{http::verb::post, to.target, 11};
        req.set(http::field::user_agent, "declared-webhook");
        req.set(http::field::content_type, "application/json");
        req.body() = *e.json;
        // Seq (and the id in the body) let receivers drop repeats: delivery is at least once.
        req.set("X-Declared-Seq", std::to_string(e.seq));
        req.set("X-Declared-Type", to_string(e.type));
        if (!options.secret.empty()) req.set("X-Declared-Signature", webhook_signature(options.secret, req.body()));
        auto exchange = co_await net::http_exchange(resolver, to, std::move(req), options.timeout, 1 << 20);
        if (!exchange.response) co_return exchange.error;
        auto status = exchange.response->result_int();
        if (status < 200 || status > 299) co_return "HTTP " + std::to_string(status);
        co_return std::nullopt;
    }

    // Written to a temporary file and renamed over the old one: a crash leaves
    // the old cursor or the new, never half of one (at worst a redelivery).
    void save(std::uint64_t seq) {
        cursor = seq;
        std::string tmp = options.cursor_path + ".tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << seq << '\n';
            if (!out) {
                spdlog::error("webhook {}: cannot write {}", options.name, tmp);
                return;
            }
        }
        std::error_code ec;
        std::filesystem::rename(tmp, options.cursor_path, ec);
        if (ec) spdlog::error("webhook {}: cannot replace {}: {}", options.name, options.cursor_path, ec.message());
    }
};

Webhook::Webhook(asio::io_context& ioc, EventHub& hub, WebhookOptions options)
    : impl_(std::make_shared<Impl>(ioc, hub, std::move(options))) {}

Webhook::~Webhook() { stop(); }

std::optional<Error> Webhook::start() {
    auto& o = impl_->options;
    auto to = net::parse_http_url(o.url);
    if (!to)
        return Error{"bad_webhook", "webhooks." + o.name + ".url",
                     "an http://host[:port]/path URL (put TLS endpoints behind a local proxy)", o.url};
    impl_->to = *to;
    std::ifstream in(o.cursor_path);
    std::uint64_t seq = 0;
    if (in >> seq) {
        impl_->cursor = seq;
        spdlog::info("webhook {}: resuming after seq {}", o.name, seq);
    } else {
        // New: deliver from now on, not the whole night so far.
        impl_->save(impl_->hub.last_seq());
        spdlog::info("webhook {}: new, delivering events after seq {}", o.name, impl_->cursor.load());
    }
    impl_->hub_id = impl_->hub.subscribe(impl_);
    asio::co_spawn(impl_->strand, impl_->run(), asio::detached);
    return std::nullopt;
}

void Webhook::stop() {
    asio::post(impl_->strand, [impl = impl_] {
        impl->stopped = true;
        impl->timer.cancel();
        impl->resolver.cancel();
        if (impl->hub_id) impl->hub.unsubscribe(impl->hub_id);
        impl->hub_id = 0;
    });
}

WebhookStats Webhook::stats() const { return {impl_->delivered, impl_->failures, impl_->cursor}; }

}  // namespace declared::feed
