#pragma once
// The event envelope (docs/formats.md, "Events"): one line of JSON written by
// Boost.JSON, with the filter keys copied beside the bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "model/card.hpp"
#include "model/event.hpp"

namespace declared {

class EventWriter {
public:
    explicit EventWriter(const Election& election);

    // Stable id of the event with this sequence number: "<election id>#<seq>",
    // prefixed "test:" for rehearsal data so a rehearsal's ids never collide
    // with the night's.
    std::string event_id(std::uint64_t seq) const;

    // council: nullptr for national events. at, received_at: empty for events
    // known before any declaration (written as null).
    Event write(std::uint64_t seq, EventType type, const Council* council, std::string_view at,
                std::string_view received_at, std::string_view text, boost::json::object data) const;

private:
    const Election& election_;
    std::string id_prefix_;
};

}  // namespace declared
