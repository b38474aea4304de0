#pragma once
// Ends an embargo at its time. The end is an input like any other: when the
// time comes the timer hands a lift_embargo action (naming the end it is for)
// to the ingest strand, which journals it before anything changes, so a
// restart replays the lift at the same place in the night. A daemon that was
// down at that time lifts the embargo as soon as it is back. Runs on the
// ingest strand; arm() is called there after every change.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>

namespace declared {

// Seconds since the epoch of an ISO 8601 UTC time (2022-05-06T03:00:00Z,
// fractions and "+00:00" allowed); nullopt when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& t);

class EmbargoTimer {
public:
    using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
    // due(until) runs on the strand when the embargo ending at `until` is due.
    EmbargoTimer(Strand strand, std::function<void(const std::string& until)> due);

    // The standing embargo's end ("" none): re-arms when it changed.
    void arm(const std::string& until);
    // The lift for `until` could not be journalled yet: due(until) again in a second.
    void retry(const std::string& until);
    void cancel();

private:
    void wait(const std::string& until);

    boost::asio::steady_timer timer_;
    std::function<void(const std::string&)> due_;
    std::string armed_;
};

}  // namespace declared
