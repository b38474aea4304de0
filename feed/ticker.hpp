#pragma once
// One timer for every subscriber: each period it calls EventHub::tick_all(),
// and each session then sends a heartbeat if it has been quiet, or ends a
// write the peer stopped taking. A timer per session would hold a pending
// operation (about 300 bytes) for every idle subscriber.
#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "feed/event_hub.hpp"

namespace declared::feed {

class Ticker {
public:
    // The executor should be a strand: start() and stop() post to it.
    Ticker(boost::asio::any_io_executor executor, EventHub& hub, std::chrono::milliseconds period);
    void start();
    void stop();  // the pending wait ends; nothing more is ticked

private:
    void arm();

    boost::asio::steady_timer timer_;
    EventHub& hub_;
    std::chrono::milliseconds period_;
    bool stopped_ = false;
};

}  // namespace declared::feed
