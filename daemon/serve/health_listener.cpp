#include "daemon/serve/health_listener.hpp"

#include <fmt/format.h>

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace declared {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono;

namespace {

constexpr milliseconds kPulse{100};

std::int64_t now_ns() { return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count(); }

// Probers are few and local; a stranger that finds the port gets little.
net::ServerLimits health_limits() {
    net::ServerLimits l;
    l.max_body_bytes = 1024;
    l.max_connections = 64;
    l.max_connections_per_address = 0;  // a supervisor's probes all come from one address
    l.reserved_connections = 0;
    l.request_timeout = seconds(2);
    l.idle_timeout = seconds(10);
    return l;
}

// /healthz's answer, given how long ago the main I/O threads last ran a pulse.
net::Response health_answer(const net::Request& req, milliseconds since_pulse, milliseconds stall_limit) {
    if (since_pulse <= stall_limit)
        return net::json_response(req.version(), req.keep_alive(), http::status::ok, R"({"status":"ok"})");
    return net::error_response(req.version(), req.keep_alive(), http::status::service_unavailable, "io_stalled",
                               fmt::format("the daemon's I/O threads have not run for {} ms (the limit is {} ms)",
                                           since_pulse.count(), stall_limit.count()));
}

}  // namespace

class HealthListener::Handler : public net::HttpHandler {
public:
    explicit Handler(HealthListener& owner) : owner_(owner) {}

    std::optional<net::Response> admit(const net::Request& req) override {
        const auto target = req.target();
        const auto path = target.substr(0, target.find('?'));
        if (path != "/healthz" && path != "/readyz")
            return net::error_response(req.version(), false, http::status::not_found, "no_route",
                                       fmt::format("this is the health port: /healthz and /readyz only, not {}",
                                                   std::string_view(path.data(), path.size())));
        if (req.method() != http::verb::get) {
            auto res = net::error_response(req.version(), false, http::status::method_not_allowed,
                                           "method_not_allowed", "the health port answers GET only");
            res.set(http::field::allow, "GET");
            return res;
        }
        return std::nullopt;
    }
    bool trusted(const net::Request&) const override { return false; }
    void handle(net::Request&& req, net::Respond respond) override {
        if (req.target().starts_with("/readyz")) return respond(owner_.options_.readiness(req));
        const auto since = nanoseconds(now_ns() - owner_.last_pulse_ns_.load(std::memory_order_acquire));
        respond(health_answer(req, duration_cast<milliseconds>(since), owner_.options_.stall_limit));
    }

private:
    HealthListener& owner_;
};

HealthListener::HealthListener(asio::io_context& main, HealthOptions options)
    : options_(std::move(options)), pulse_timer_(asio::make_strand(main)), last_pulse_ns_(now_ns()),
      handler_(std::make_unique<Handler>(*this)) {
    server_.emplace(ioc_, options_.endpoint, health_limits(), *handler_);
}

HealthListener::~HealthListener() {
    stop();
    if (thread_.joinable()) thread_.join();
}

void HealthListener::start() {
    server_->start();
    work_.emplace(ioc_.get_executor());
    thread_ = std::thread([this] { ioc_.run(); });
    asio::post(pulse_timer_.get_executor(), [this] { pulse(); });
}

void HealthListener::stop() {
    if (std::exchange(stopped_, true)) return;
    // On the pulse's strand: a wait that completed already sees the flag.
    asio::post(pulse_timer_.get_executor(), [this] {
        pulse_stopped_ = true;
        pulse_timer_.cancel();
    });
    asio::post(ioc_, [this] {
        server_->stop();
        work_.reset();
    });
}

asio::ip::tcp::endpoint HealthListener::local_endpoint() const { return server_->local_endpoint(); }

// Runs on the main I/O threads (its strand): its stamp says they are turning.
void HealthListener::pulse() {
    last_pulse_ns_.store(now_ns(), std::memory_order_release);
    pulse_timer_.expires_after(kPulse);
    pulse_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && !pulse_stopped_) pulse();
    });
}

}  // namespace declared
