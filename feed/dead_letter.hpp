#pragma once
// A webhook's dead-letter file: JSON lines of events it gave up on, appended
// by the daemon and taken out by `declared webhook redeliver`. Both sides lock
// the file (flock), and the taker moves it aside (<path>.redelivering) before
// delivering, so the daemon never blocks on a delivery and nothing appended
// meanwhile is lost; what the taker could not deliver it appends back. A
// taker that dies part-way leaves the moved file, which the next one takes first.
#include <functional>
#include <optional>
#include <string>

namespace declared::feed {

// Appends one line (a newline is added) and fsyncs; the error, if any.
std::optional<std::string> append_dead_letter(const std::string& path, const std::string& line);

struct Redelivery {
    std::size_t taken = 0, delivered = 0;
    std::string error;  // the file could not be read or written back
};

// Takes every line out of the file and hands each to deliver (true: delivered).
// Those not delivered are appended back, in their order.
Redelivery redeliver_dead_letters(const std::string& path, const std::function<bool(const std::string& line)>& deliver);

}  // namespace declared::feed
