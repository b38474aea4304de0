#pragma once
// One connection to a NATS cluster with its JetStream context, owned by RAII
// so no error path leaks the C client's handles. It reconnects by itself
// (to any server of the list) and pings often enough to notice a dead server
// within seconds; what to do about a publish that was in flight when that
// happened is the journal's business, not the connection's. libnats' status
// codes become Error values here, once.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nats/nats.h>

#include "model/error.hpp"

namespace declared::cluster {

struct NatsOptions {
    std::vector<std::string> urls;  // nats://host:port, any number of them
    std::string name = "declared";  // shown in the servers' connection lists
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds ping_interval{1000};  // two unanswered pings: reconnect elsewhere
    std::chrono::milliseconds api_timeout{5000};    // JetStream API requests (stream info, get)
};

class NatsConnection {
public:
    // Connects to one of the urls; a clear error if none answers.
    static Result<std::unique_ptr<NatsConnection>> connect(const NatsOptions& options);
    ~NatsConnection();
    NatsConnection(const NatsConnection&) = delete;
    NatsConnection& operator=(const NatsConnection&) = delete;

    natsConnection* raw() const { return nc_; }
    jsCtx* js() const { return js_; }
    // The servers' largest message (payload plus headers), from their INFO.
    std::size_t max_payload() const;
    // The urls, comma-separated, for errors.
    const std::string& where() const { return where_; }

private:
    NatsConnection() = default;
    natsConnection* nc_ = nullptr;
    jsCtx* js_ = nullptr;
    std::string where_;
};

// Drains sub and destroys it: when this returns its callback has run for
// the last time (bounded: 5 s), so whatever the callback holds may go. Null
// afterwards; a null sub is left alone.
void close_subscription(natsSubscription*& sub);

// A timeout or no responders: the cluster may be electing a leader, so asking
// again shortly may succeed.
inline bool transient(natsStatus s) { return s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS; }

// An Error from a libnats status (and JetStream error code when there is one),
// with the client's last error text.
Error nats_error(std::string code, std::string where, std::string expected, natsStatus status,
                 jsErrCode jerr = static_cast<jsErrCode>(0));

}  // namespace declared::cluster
