#include <catch2/catch.hpp>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "daemon/serve/health_listener.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared;
using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

HealthOptions options(std::chrono::milliseconds stall_limit) {
    HealthOptions o;
    o.endpoint = {boost::asio::ip::make_address("127.0.0.1"), 0};
    o.stall_limit = stall_limit;
    o.readiness = [](const net::Request& req) {
        return net::json_response(req.version(), req.keep_alive(), boost::beast::http::status::service_unavailable,
                                  R"({"status":"not ready","reason":"test"})");
    };
    return o;
}

}  // namespace

TEST_CASE("health port: /healthz fails while the main I/O threads do not run, and recovers when they do", "[serve][health]") {
    boost::asio::io_context main;  // not run yet: its threads are "stalled"
    HealthListener health(main, options(300ms));
    health.start();
    const int port = health.local_endpoint().port();

    // Answered on the health thread, though nothing runs the main context.
    CHECK(wait_for([&] { return get(port, "/healthz").status == 503; }, 20s));
    const auto stalled = get(port, "/healthz");
    CHECK(stalled.body.find("\"io_stalled\"") != std::string::npos);
    CHECK(stalled.body.find("have not run for") != std::string::npos);

    // /readyz is the main API's answer, whatever the pulse says.
    const auto ready = get(port, "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body == "{\"status\":\"not ready\",\"reason\":\"test\"}\n");

    // Only the two probes, and only GET.
    const auto other = get(port, "/v1/councils");
    CHECK(other.status == 404);
    CHECK(other.body.find("this is the health port") != std::string::npos);
    CHECK(request(port, "POST", "/healthz", {}, "x").status == 405);

    // The main threads turn again: the pulse runs and /healthz is 200.
    auto work = boost::asio::make_work_guard(main);
    std::thread runner([&] { main.run(); });
    CHECK(wait_for([&] { return get(port, "/healthz").status == 200; }, 20s));
    CHECK(get(port, "/healthz").body == "{\"status\":\"ok\"}\n");

    health.stop();
    work.reset();
    runner.join();  // the pulse was cancelled: nothing keeps the main context busy
}
