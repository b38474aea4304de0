#pragma once
// The listening server: accepts connections on one endpoint, enforces the
// connection limit, and shuts down gracefully (stop accepting, let in-flight
// requests finish, close idle connections).
#include <atomic>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "feed/http_types.hpp"
#include "feed/session_registry.hpp"

namespace declared::feed {

// Takes WebSocket upgrades. vet() answers over plain HTTP when it refuses
// (wrong path, bad query, no token, too many subscribers); otherwise the
// connection's socket is handed to upgrade().
class UpgradeHandler {
public:
    virtual ~UpgradeHandler() = default;
    // Whether the request is one to hand over: by default a WebSocket
    // upgrade; a streaming endpoint may take plain GETs of its path too.
    virtual bool takes(const Request& req) const;
    virtual std::optional<Response> vet(const Request& req) = 0;
    virtual void upgrade(boost::asio::ip::tcp::socket&& socket, Request&& req) = 0;
};

// Shared by the listener and every session.
struct ServerContext {
    ServerLimits limits;
    HttpHandler* handler = nullptr;
    UpgradeHandler* upgrades = nullptr;  // may be null: upgrades answered by handler
    SessionRegistry sessions;
    std::atomic<std::uint64_t> connections_total{0};
    std::atomic<std::uint64_t> connections_refused{0};
    // Set by Server::stop(): sessions that start afterwards answer at most the
    // request already waiting on their socket, then close.
    std::atomic<bool> stopping{false};
};

class Server {
public:
    Server(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint, ServerLimits limits,
           HttpHandler& handler, UpgradeHandler* upgrades = nullptr);
    ~Server();

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    // Stop accepting and ask every connection to finish and close.
    void stop();
    const ServerContext& context() const { return *ctx_; }

private:
    class Listener;
    std::shared_ptr<ServerContext> ctx_;
    std::shared_ptr<Listener> listener_;
};

}  // namespace declared::feed
