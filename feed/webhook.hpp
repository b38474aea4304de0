#pragma once
// A webhook: POSTs each matching event to a URL, one at a time and in seq
// order, signed with HMAC-SHA256 of the body when a secret is set. At least
// once: a failure is retried with backoff until the endpoint takes it, and
// the cursor (last seq delivered) is kept in a file so a restart resumes
// there. Each webhook runs on its own strand and reads the hub by cursor, so
// a dead endpoint holds up nobody: not other webhooks, not ingestion.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "feed/event_filter.hpp"
#include "feed/event_hub.hpp"
#include "model/error.hpp"

namespace declared::feed {

struct WebhookOptions {
    std::string name;        // for logs and the cursor file
    std::string url;         // http://host[:port]/path
    std::string secret;      // HMAC key; empty: unsigned
    EventFilter filter;
    std::string cursor_path; // file holding the last delivered seq
    std::chrono::milliseconds timeout{5'000};
    std::chrono::milliseconds max_backoff{30'000};
};

struct WebhookStats {
    std::uint64_t delivered = 0;
    std::uint64_t failures = 0;
    std::uint64_t cursor = 0;
};

class Webhook {
public:
    Webhook(boost::asio::io_context& ioc, EventHub& hub, WebhookOptions options);
    ~Webhook();

    // Reads the cursor file (a new webhook starts at the hub's newest seq),
    // checks the URL, and starts delivering.
    std::optional<Error> start();
    void stop();
    WebhookStats stats() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

// "sha256=<hex>" of HMAC-SHA256(secret, body): the X-Declared-Signature header.
std::string webhook_signature(std::string_view secret, std::string_view body);

}  // namespace declared::feed
