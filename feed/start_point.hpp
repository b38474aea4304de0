#pragma once
// Where a subscriber starts (a snapshot, or the events after a since), and
// the hello that tells it so: the same for the WebSocket feed and the event
// stream.
#include <cstdint>
#include <string>

namespace declared::feed {

struct FeedContext;

struct StartPoint {
    bool snapshot = true;     // no usable since: send a snapshot first
    std::uint64_t since = 0;  // with snapshot == false: events after this
    std::string notice;       // why a requested since was not honoured
};

// {"type":"hello","election","test","seq","oldest_seq","resume"[,"since"][,"notice"]}
std::string hello_json(const FeedContext& ctx, const StartPoint& start);

}  // namespace declared::feed
