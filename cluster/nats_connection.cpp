#include "cluster/nats_connection.hpp"

namespace declared::cluster {

void close_subscription(natsSubscription*& sub) {
    if (!sub) return;
    if (natsSubscription_Drain(sub) == NATS_OK) natsSubscription_WaitForDrainCompletion(sub, 5000);
    natsSubscription_Destroy(sub);
    sub = nullptr;
}

Error nats_error(std::string code, std::string where, std::string expected, natsStatus status, jsErrCode jerr) {
    std::string got = natsStatus_GetText(status);
    if (jerr != 0) got += " (JetStream error " + std::to_string(static_cast<int>(jerr)) + ")";
    natsStatus last = NATS_OK;
    if (const char* text = nats_GetLastError(&last); text && *text && got.find(text) == std::string::npos)
        got += std::string(": ") + text;
    return Error{std::move(code), std::move(where), std::move(expected), std::move(got)};
}

Result<std::unique_ptr<NatsConnection>> NatsConnection::connect(const NatsOptions& options) {
    using R = Result<std::unique_ptr<NatsConnection>>;
    std::unique_ptr<NatsConnection> c(new NatsConnection());
    for (const auto& url : options.urls) c->where_ += (c->where_.empty() ? "" : ",") + url;
    if (options.urls.empty())
        return R::of_error(Error{"cluster_config", "--cluster.url", "at least one nats:// URL", "none"});

    natsOptions* opts = nullptr;
    natsStatus s = natsOptions_Create(&opts);
    std::vector<const char*> urls;
    for (const auto& url : options.urls) urls.push_back(url.c_str());
    if (s == NATS_OK) s = natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()));
    if (s == NATS_OK) s = natsOptions_SetName(opts, options.name.c_str());
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, options.connect_timeout.count());
    // Reconnect for ever: how long a journal waits for the cluster is bounded
    // by the journal (its retry deadline), not by the connection giving up.
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
    if (s == NATS_OK) s = natsOptions_SetPingInterval(opts, options.ping_interval.count());
    if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts, 2);
    if (s == NATS_OK) s = natsConnection_Connect(&c->nc_, opts);
    if (opts) natsOptions_Destroy(opts);
    if (s != NATS_OK)
        return R::of_error(nats_error("cluster_unreachable", c->where_, "a NATS server answering at one of these URLs", s));

    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = options.api_timeout.count();
    s = natsConnection_JetStream(&c->js_, c->nc_, &jo);
    if (s != NATS_OK) return R::of_error(nats_error("cluster_unreachable", c->where_, "a JetStream context", s));
    return R{std::move(c), {}};
}

NatsConnection::~NatsConnection() {
    if (js_) jsCtx_Destroy(js_);
    if (nc_) {
        natsConnection_Close(nc_);
        natsConnection_Destroy(nc_);
    }
}

std::size_t NatsConnection::max_payload() const {
    const int64_t n = natsConnection_GetMaxPayload(nc_);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

}  // namespace declared::cluster
