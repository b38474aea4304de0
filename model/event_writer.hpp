#pragma once
// The event envelope (docs/formats.md, "Events"): one line of JSON, with the
// filter keys copied beside the bytes. The body is streamed into the same
// buffer between begin() and finish().
#include <cstdint>
#include <string>
#include <string_view>

#include "model/card.hpp"
#include "model/event.hpp"
#include "model/json_writer.hpp"

namespace declared {

class EventWriter {
public:
    explicit EventWriter(const Election& election);
    EventWriter(const EventWriter&) = delete;
    EventWriter& operator=(const EventWriter&) = delete;

    // Stable id of the event with this sequence number: "<election id>#<seq>",
    // prefixed "test:" for rehearsal data so a rehearsal's ids never collide
    // with the night's.
    std::string event_id(std::uint64_t seq) const;

    // Writes the envelope up to "data" and opens the body object; write the
    // body's fields into the returned writer, then finish(). council: nullptr
    // for national events. at, received_at: empty for events known before any
    // declaration (written as null).
    JsonWriter& begin(std::uint64_t seq, EventType type, const Council* council, std::string_view at,
                      std::string_view received_at, std::string_view text);
    Event finish();

private:
    const Election& election_;
    std::string id_prefix_;
    std::string buf_;
    JsonWriter w_{buf_};
    Event pending_;
};

}  // namespace declared
