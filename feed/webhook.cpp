#include "feed/webhook.hpp"

#include "feed/dead_letter.hpp"
#include "net/http_client.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <cstdio>

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
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

namespace declared::feed {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

std::string webhook_timed_signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
    std::string signed_content;
    signed_content.reserve(timestamp.size() + 1 + body.size());
    signed_content.append(timestamp).append(".").append(body);
    return webhook_signature(secret, signed_content);
}

std::string slack_body(std::string_view event_json) {
    boost::system::error_code ec;
    auto v = boost::json::parse(boost::json::string_view(event_json.data(), event_json.size()), ec);
    const auto* text = !ec && v.is_object() ? v.as_object().if_contains("text") : nullptr;
    if (!text || !text->is_string() || text->as_string().empty()) return {};
    return boost::json::serialize(boost::json::object{{"text", text->as_string()}});
}

awaitable<std::optional<std::string>> deliver_event(tcp::resolver& resolver, const net::HttpTarget& to,
                                                    const WebhookOptions& options, std::uint64_t seq,
                                                    std::string_view type, const std::string& event_json) {
    net::Request req{http::verb::post, to.target, 11};
    req.set(http::field::user_agent, "declared-webhook");
    req.set(http::field::content_type, "application/json");
    req.body() = options.body == WebhookBody::slack ? slack_body(event_json) : event_json;
    // Seq (and the id in the body) let receivers drop repeats: delivery is at least once.
    req.set("X-Declared-Seq", std::to_string(seq));
    req.set("X-Declared-Type", std::string(type));
    if (!options.secret.empty()) {
        const std::string now = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
        req.set("X-Declared-Signature", webhook_signature(options.secret, req.body()));
        req.set("X-Declared-Timestamp", now);
        req.set("X-Declared-Signature-Timestamped", webhook_timed_signature(options.secret, now, req.body()));
    }
    auto exchange = co_await net::http_exchange(resolver, to, std::move(req), options.timeout, 1 << 20);
    if (!exchange.response) co_return exchange.error;
    auto status = exchange.response->result_int();
    if (status < 200 || status > 299) co_return "HTTP " + std::to_string(status);
    co_return std::nullopt;
}

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

namespace {

// Coroutines whose arguments are copied into their own frames: the same as
// capturing lambdas crashed under GCC 12, reading captures that were gone.
awaitable<Result<std::optional<std::uint64_t>>> load_from(std::shared_ptr<WebhookCursor> c) { co_return c->load(); }
awaitable<std::optional<Error>> save_to(std::shared_ptr<WebhookCursor> c, std::uint64_t seq) { co_return c->save(seq); }

}  // namespace

struct Webhook::Impl : Subscriber, std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& ioc, EventHub& h, WebhookOptions o)
        : hub(h), options(std::move(o)), strand(asio::make_strand(ioc)), timer(strand), resolver(strand) {}

    EventHub& hub;
    WebhookOptions options;
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;
    tcp::resolver resolver;
    net::HttpTarget to;
    std::atomic<std::uint64_t> cursor{0}, delivered{0}, failures{0}, dead_letters{0};
    std::atomic<bool> failing{false};  // for longer than alert_after
    std::optional<std::chrono::steady_clock::time_point> failing_since;  // first failure since the last success
    unsigned attempts = 0;  // at the current event
    std::uint64_t cursor_failures = 0;
    std::size_t hub_id = 0;
    bool stopped = false;

    void wake() override {
        asio::post(strand, [self = shared_from_this()] { self->timer.cancel(); });
    }

    // The cursor's calls, which may block: on the cursor executor, or here.
    awaitable<Result<std::optional<std::uint64_t>>> load_cursor() {
        if (!options.cursor_executor) co_return options.cursor->load();
        co_return co_await asio::co_spawn(options.cursor_executor, load_from(options.cursor), use_awaitable);
    }
    awaitable<std::optional<Error>> save_cursor(std::uint64_t seq) {
        if (!options.cursor_executor) co_return options.cursor->save(seq);
        co_return co_await asio::co_spawn(options.cursor_executor, save_to(options.cursor, seq), use_awaitable);
    }

    awaitable<void> pause(std::chrono::milliseconds d) {
        boost::system::error_code ec;
        timer.expires_after(d);
        co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }

    // The saved cursor, or for a new webhook the hub's newest seq saved as
    // one: nothing is delivered before the starting point is kept, so a
    // restart (or the next writer) cannot start later than this one did.
    awaitable<bool> find_start() {
        for (std::chrono::milliseconds wait{250}; !stopped; wait = std::min(wait * 2, options.max_backoff)) {
            auto saved = co_await load_cursor();
            if (saved.ok() && *saved.value) {
                cursor = **saved.value;
                spdlog::info("webhook {}: resuming after seq {}", options.name, cursor.load());
                co_return true;
            }
            if (saved.ok()) {
                const std::uint64_t now = hub.last_seq();
                auto failure = co_await save_cursor(now);
                if (!failure) {
                    cursor = now;
                    spdlog::info("webhook {}: new, delivering events after seq {}", options.name, now);
                    co_return true;
                }
                saved.error = *failure;
            }
            spdlog::warn("webhook {}: has no cursor it can read or keep, so it delivers nothing until it has: {} (again in {} ms)",
                         options.name, saved.error.message(), wait.count());
            co_await pause(wait);
        }
        co_return false;
    }

    awaitable<void> run() {
        auto self = shared_from_this();
        if (!co_await find_start()) co_return;
        std::chrono::milliseconds backoff{250};
        std::vector<Event> next;
        while (!stopped) {
            if (options.may_deliver && !options.may_deliver()) {
                co_await pause(std::chrono::milliseconds(100));  // another node may be delivering now
                continue;
            }
            next.clear();
            std::uint64_t examined = hub.read(cursor, options.filter, 1, 1 << 30, next);
            if (next.empty()) {
                if (examined != cursor) {
                    co_await save(examined);  // nothing for us in between: move past it
                    continue;
                }
                co_await pause(std::chrono::seconds(30));  // woken early by publishes
                continue;
            }
            const Event& e = next.front();
            if (options.body == WebhookBody::slack && slack_body(*e.json).empty()) {
                co_await save(e.seq);  // nothing to say in a channel
                continue;
            }
            if (auto error = co_await deliver_event(resolver, to, options, e.seq, to_string(e.type), *e.json)) {
                if (failed(e, *error, backoff)) co_await save(e.seq);
                co_await pause(backoff);
                backoff = std::min(backoff * 2, options.max_backoff);
                continue;
            }
            backoff = std::chrono::milliseconds(250);
            attempts = 0;
            if (failing_since) {
                spdlog::info("webhook {}: delivering again after {} s of failures", options.name, failing_seconds());
                failing_since.reset();
                failing = false;
            }
            ++delivered;
            co_await save(e.seq);
        }
    }

    // A failed attempt: counted, logged (not every one), and at the retry
    // limit the event goes to the dead-letter file; true when the cursor may
    // move past it.
    bool failed(const Event& e, const std::string& error, std::chrono::milliseconds backoff) {
        ++failures;
        ++attempts;
        note_failing(error);
        if (failures == 1 || failures % 20 == 0)
            spdlog::warn("webhook {}: seq {}: {} (attempt {}, retrying in {} ms)", options.name, e.seq, error,
                         failures.load(), backoff.count());
        if (!options.max_attempts || attempts < options.max_attempts) return false;
        const bool written = dead_letter(e, error);  // else retried: it is not lost
        attempts = 0;
        return written;
    }

    long long failing_seconds() const {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - *failing_since).count();
    }

    // One error line, and the failing flag for /metrics, once an endpoint has
    // failed for alert_after without a success in between.
    void note_failing(const std::string& error) {
        if (!failing_since) failing_since = std::chrono::steady_clock::now();
        if (failing || std::chrono::steady_clock::now() - *failing_since < options.alert_after) return;
        failing = true;
        spdlog::error("webhook {}: {} has been failing for {} s (last error: {}); events are {}", options.name, options.url,
                      failing_seconds(), error,
                      options.max_attempts ? "going to " + options.dead_letter_path + " after " +
                                                 std::to_string(options.max_attempts) + " attempts each"
                                           : std::string("retried until it takes them"));
    }

    // The event, the endpoint, the attempts and the last error, as one JSON line.
    bool dead_letter(const Event& e, const std::string& error) {
        boost::system::error_code ec;
        boost::json::value event = boost::json::parse(*e.json, ec);
        if (ec) event = boost::json::string(*e.json);
        boost::json::object line{{"webhook", options.name}, {"url", options.url},  {"seq", e.seq},
                                 {"type", to_string(e.type)}, {"attempts", attempts}, {"last_error", error},
                                 {"event", std::move(event)}};
        if (auto failure = append_dead_letter(options.dead_letter_path, boost::json::serialize(line))) {
            spdlog::error("webhook {}: seq {}: cannot write the dead letter, retrying the event: {}", options.name, e.seq,
                          *failure);
            return false;
        }
        ++dead_letters;
        spdlog::warn("webhook {}: seq {} not delivered after {} attempts ({}); written to {}", options.name, e.seq, attempts,
                     error, options.dead_letter_path);
        return true;
    }

    // A cursor that cannot be kept costs a redelivery after a restart, never
    // an event: delivery goes on, and the failure is logged (not every one).
    awaitable<void> save(std::uint64_t seq) {
        cursor = seq;
        auto failure = co_await save_cursor(seq);
        if (!failure) co_return;
        if (cursor_failures++ % 100 == 0)
            spdlog::error("webhook {}: cannot keep its cursor at seq {} ({} times so far): {}", options.name, seq,
                          cursor_failures, failure->message());
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
    if (!o.cursor) return Error{"bad_webhook", "webhooks." + o.name, "a cursor to keep its place", "none"};
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

const std::string& Webhook::name() const { return impl_->options.name; }

WebhookStats Webhook::stats() const {
    return {impl_->delivered, impl_->failures, impl_->cursor, impl_->dead_letters, impl_->failing};
}

}  // namespace declared::feed
