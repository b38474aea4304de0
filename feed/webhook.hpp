#pragma once
// A webhook: POSTs each matching event to a URL, one at a time and in seq
// order, signed with HMAC-SHA256 when a secret is set (of the body, and of
// the timestamp and body, so receivers can refuse replays). At least once: a
// failure is retried with backoff until the endpoint takes it or, with a
// retry limit, until the limit, when the event goes to a dead-letter file
// (JSON lines) for `declared webhook redeliver`. An endpoint failing for
// longer than alert_after gets one error log line and shows in /metrics.
// The cursor (last seq delivered or dead-lettered) is kept by a
// WebhookCursor so a restart, or in cluster mode the next writer, resumes
// there; until it has been read the webhook delivers nothing. Each webhook
// runs on its own strand and reads the hub by cursor, so a dead endpoint
// holds up nobody: not other webhooks, not ingestion.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "feed/event_filter.hpp"
#include "feed/event_hub.hpp"
#include "feed/webhook_cursor.hpp"
#include "net/http_client.hpp"
#include "model/error.hpp"

namespace declared::feed {

// What a webhook POSTs: the event's envelope, or {"text": "<the event's alert
// text>"} for a Slack or Teams incoming webhook (events without text are skipped).
enum class WebhookBody { event, slack };

struct WebhookOptions {
    std::string name;        // for logs and the cursor file
    std::string url;         // http://host[:port]/path
    std::string secret;      // HMAC key; empty: unsigned
    EventFilter filter;
    std::shared_ptr<WebhookCursor> cursor;
    // Where the cursor's load and save run when they may block (a bucket);
    // none: on the webhook's strand (a file).
    boost::asio::any_io_executor cursor_executor;
    // Asked before each delivery; none: always. Cluster mode: only while this
    // node holds the writer's lease, so two nodes do not deliver at once.
    std::function<bool()> may_deliver;
    std::chrono::milliseconds timeout{5'000};
    std::chrono::milliseconds max_backoff{30'000};
    unsigned max_attempts = 0;     // per event; 0: until delivered
    std::string dead_letter_path;  // where an event goes after max_attempts
    std::chrono::milliseconds alert_after{std::chrono::minutes(5)};  // failing this long: log and metric
    WebhookBody body = WebhookBody::event;
};

struct WebhookStats {
    std::uint64_t delivered = 0;
    std::uint64_t failures = 0;
    std::uint64_t cursor = 0;
    std::uint64_t dead_letters = 0;
    bool failing = false;  // failing for longer than alert_after
};

class Webhook {
public:
    Webhook(boost::asio::io_context& ioc, EventHub& hub, WebhookOptions options);
    ~Webhook();

    // Checks the URL and starts: the cursor is read first (retried until it
    // can be; a new webhook saves the hub's newest seq and starts there).
    std::optional<Error> start();
    void stop();
    WebhookStats stats() const;
    const std::string& name() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

// "sha256=<hex>" of HMAC-SHA256(secret, body): the X-Declared-Signature header.
std::string webhook_signature(std::string_view secret, std::string_view body);
// The same over "<timestamp>.<body>": X-Declared-Signature-Timestamped, with
// the timestamp (Unix seconds) in X-Declared-Timestamp.
std::string webhook_timed_signature(std::string_view secret, std::string_view timestamp, std::string_view body);

// {"text": "..."} from an event envelope's "text"; empty when it has none.
std::string slack_body(std::string_view event_json);

// One delivery of one event as the webhook makes it (headers, signatures,
// body style); an error message when the endpoint did not take it. Also used
// by `declared webhook redeliver`. The resolver must live on the caller's executor.
boost::asio::awaitable<std::optional<std::string>> deliver_event(boost::asio::ip::tcp::resolver& resolver,
                                                                 const net::HttpTarget& to, const WebhookOptions& options,
                                                                 std::uint64_t seq, std::string_view type,
                                                                 const std::string& event_json);

}  // namespace declared::feed
