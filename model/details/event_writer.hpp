#pragma once
// The event envelope (docs/formats.md, "Events"): one line of JSON, with the
// filter keys copied beside the bytes. The body is streamed into the same
// buffer between begin() and finish().
//
// The envelope is mostly the same bytes event after event: the election, the
// type, and a council's id and region never change. Those stretches are
// rendered (and escaped) once, at construction, and copied into each event;
// only seq, the times and the text are written per event.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/card.hpp"
#include "model/event.hpp"
#include "model/json_writer.hpp"

namespace declared {

class EventWriter {
public:
    explicit EventWriter(const Card& card);  // card must outlive the writer
    EventWriter(const EventWriter&) = delete;
    EventWriter& operator=(const EventWriter&) = delete;

    // Stable id of the event with this sequence number: "<election id>#<seq>",
    // prefixed "test:" for rehearsal data so a rehearsal's ids never collide
    // with the night's.
    std::string event_id(std::uint64_t seq) const;
    // The same id as a JSON string value, into w.
    void write_id(JsonWriter& w, std::uint64_t seq) const;

    // Writes the envelope up to "data" and opens the body object; write the
    // body's fields into the returned writer, then finish(). council: nullptr
    // for national events, else one of the card's councils. at, received_at:
    // empty for events known before any declaration (written as null).
    JsonWriter& begin(std::uint64_t seq, EventType type, const Council* council, std::string_view at,
                      std::string_view received_at, std::string_view text);
    Event finish();

private:
    static constexpr std::size_t kTypes = static_cast<std::size_t>(EventType::heartbeat) + 1;

    const Card& card_;
    std::string id_prefix_;     // "local.2022-05-05#"
    std::string id_open_;       // "local.2022-05-05#  (escaped, quote open)
    std::array<std::string, kTypes> after_id_;  // ","type":"…","election":"…","at":
    std::vector<std::string> council_part_;     // ,"test":…,"council":"…","region":"…","text":
    std::string national_part_;                 // the same with council and region null
    mutable std::string id_scratch_;
    JsonWriter w_;
    Event pending_;
};

}  // namespace declared
