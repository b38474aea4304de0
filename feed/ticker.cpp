#include "feed/ticker.hpp"

#include <boost/asio/post.hpp>

namespace declared::feed {

namespace asio = boost::asio;

Ticker::Ticker(asio::any_io_executor executor, EventHub& hub, std::chrono::milliseconds period)
    : timer_(std::move(executor)), hub_(hub), period_(period) {}

void Ticker::start() {
    asio::post(timer_.get_executor(), [this] { arm(); });
}

void Ticker::stop() {
    asio::post(timer_.get_executor(), [this] {
        stopped_ = true;
        timer_.cancel();
    });
}

void Ticker::arm() {
    if (stopped_) return;
    timer_.expires_after(period_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        hub_.tick_all();
        arm();
    });
}

}  // namespace declared::feed
