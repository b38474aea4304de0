#pragma once
// /healthz and /readyz on a listener and thread of their own
// (--health.listen). The main port's I/O threads also write to every client;
// thousands of new subscribers or never-reading clients can hold them for
// a second or more, and a supervisor's probe must not wait behind them.
// So a probe here never queues behind that work. To keep /healthz honest,
// it fails when the main I/O threads have stopped turning: a pulse timer on
// them stamps the time, and a stamp older than stall_limit is a wedged daemon.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/http_types.hpp"
#include "net/server.hpp"

namespace declared {

struct HealthOptions {
    boost::asio::ip::tcp::endpoint endpoint;
    std::chrono::milliseconds stall_limit{5000};
    // The main API's readiness answer (safe from any thread).
    std::function<net::Response(const net::Request&)> readiness;
};

class HealthListener {
public:
    // Binds now (throws boost::system::system_error like net::Server); main
    // is the daemon's I/O context, which the pulse runs on.
    HealthListener(boost::asio::io_context& main, HealthOptions options);
    ~HealthListener();  // stops and joins
    HealthListener(const HealthListener&) = delete;
    HealthListener& operator=(const HealthListener&) = delete;

    void start();
    // Stops the pulse and the listener (at shutdown, with the main server);
    // the thread ends once its connections have closed.
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
    class Handler;
    void pulse();

    HealthOptions options_;
    bool stopped_ = false;  // stop() ran (on the thread that owns this)
    boost::asio::steady_timer pulse_timer_;  // on a strand of the main context
    bool pulse_stopped_ = false;             // on that strand
    std::atomic<std::int64_t> last_pulse_ns_{0};
    boost::asio::io_context ioc_{1};
    std::unique_ptr<Handler> handler_;
    std::optional<net::Server> server_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::thread thread_;
};

}  // namespace declared
