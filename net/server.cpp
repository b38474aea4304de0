#include "net/server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "net/fail.hpp"
#include "net/http_session.hpp"

namespace declared::net {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

bool UpgradeHandler::takes(const Request& req) const { return boost::beast::websocket::is_upgrade(req); }

class Server::Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<ServerContext> ctx)
        : ioc_(ioc), acceptor_(asio::make_strand(ioc)), ctx_(std::move(ctx)) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
        acceptor_.non_blocking(true);  // accept_spare() must never block
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    ~Listener() {
        if (spare_fd_ >= 0) ::close(spare_fd_);
    }

    tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    void start() { do_accept(); }

    void stop() {
        asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
            self->drain_backlog();
            beast::error_code ec;
            self->acceptor_.close(ec);
        });
    }

private:
    void do_accept() {
        // Each connection gets its own strand.
        acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        // A connection accepted just as stop() ran is still served: dropping
        // it would reset a client whose request may already be here.
        if (!ec) start_session(std::move(socket));
        if (ec == asio::error::no_descriptors || ec == beast::errc::too_many_files_open_in_system) return out_of_descriptors(ec);
        if (ec && ec != asio::error::operation_aborted) fail(ec, "accept");
        if (acceptor_.is_open()) do_accept();
    }

    // Out of file descriptors: accepting again at once would spin (the
    // connections stay in the backlog). Answer those waiting 503 with the
    // spare descriptor, log at most once a second, and pause accepting.
    void out_of_descriptors(beast::error_code ec) {
        ++exhausted_;
        if (spare_fd_ >= 0) {
            ::close(spare_fd_);
            // Every connection waiting now, each with the one descriptor freed.
            for (int fd; (fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0;) {
                static constexpr std::string_view kBusy =
                    "HTTP/1.1 503 Service Unavailable\r\nServer: declared\r\nContent-Type: application/json\r\n"
                    "Connection: close\r\nRetry-After: 1\r\nContent-Length: 101\r\n\r\n"
                    "{\"error\":{\"code\":\"no_descriptors\",\"message\":\"the server is out of file descriptors; retry shortly\"}}\n";
                (void)!::send(fd, kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
                ::close(fd);
                ++ctx_->connections_refused;
            }
            spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        const auto now = std::chrono::steady_clock::now();
        if (now - last_log_ >= std::chrono::seconds(1)) {
            spdlog::error("accept: {} ({} times since the last line); refusing with 503 and pausing accepts",
                          ec.message(), exhausted_);
            exhausted_ = 0;
            last_log_ = now;
        }
        pause_.expires_after(std::chrono::milliseconds(50));
        pause_.async_wait([self = shared_from_this()](beast::error_code e) {
            if (!e && self->acceptor_.is_open()) self->do_accept();
        });
    }

    // Connections the kernel completed before shutdown sit in the backlog, and
    // closing the acceptor would reset them. Take them, so a request already
    // sent is answered (503 once ingestion has stopped) instead of lost in a
    // reset the client cannot tell from a crash.
    void drain_backlog() {
        beast::error_code ec;
        acceptor_.non_blocking(true, ec);
        while (!ec) {
            tcp::socket socket(asio::make_strand(ioc_));
            acceptor_.accept(socket, ec);
            if (!ec) start_session(std::move(socket));
        }
    }

    void start_session(tcp::socket socket) {
        ++ctx_->connections_total;
        beast::error_code opt;
        socket.set_option(tcp::no_delay(true), opt);
        if (ctx_->limits.send_buffer_bytes)
            socket.set_option(asio::socket_base::send_buffer_size(static_cast<int>(ctx_->limits.send_buffer_bytes)), opt);
        std::make_shared<HttpSession>(std::move(socket), ctx_)->run();
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    std::shared_ptr<ServerContext> ctx_;
    asio::steady_timer pause_{acceptor_.get_executor()};
    int spare_fd_ = -1;  // given up to answer one connection when descriptors run out
    std::uint64_t exhausted_ = 0;
    std::chrono::steady_clock::time_point last_log_{};
};

Server::Server(asio::io_context& ioc, const tcp::endpoint& endpoint, ServerLimits limits, HttpHandler& handler,
               UpgradeHandler* upgrades)
    : ctx_(std::make_shared<ServerContext>()) {
    ctx_->limits = limits;
    ctx_->handler = &handler;
    ctx_->upgrades = upgrades;
    listener_ = std::make_shared<Listener>(ioc, endpoint, ctx_);
}

Server::~Server() = default;

tcp::endpoint Server::local_endpoint() const { return listener_->local_endpoint(); }

void Server::start() { listener_->start(); }

void Server::stop() {
    ctx_->stopping = true;  // before close_all(): a session either is in the registry or sees the flag
    listener_->stop();
    ctx_->sessions.close_all();
}

}  // namespace declared::net
