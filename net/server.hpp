#pragma once
// The listening server: accepts connections on one endpoint, enforces the
// connection limit, and shuts down gracefully (stop accepting, let in-flight
// requests finish, close idle connections).
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/http_types.hpp"
#include "net/session_registry.hpp"

namespace declared::net {

// Takes WebSocket upgrades in one step: the request is parsed once and its
// place among the subscribers taken; a refusal (wrong path, bad query, too
// many subscribers, from this address or in all) comes back to be answered
// over plain HTTP, and only an accepted upgrade takes the socket.
class UpgradeHandler {
public:
    using TakeSocket = std::function<boost::asio::ip::tcp::socket()>;
    virtual ~UpgradeHandler() = default;
    // Whether the request is one to hand over: by default a WebSocket
    // upgrade; a streaming endpoint may take plain GETs of its path too.
    virtual bool takes(const Request& req) const;
    virtual std::optional<Response> upgrade(Request&& req, const std::string& peer, const TakeSocket& take) = 0;
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

}  // namespace declared::net
