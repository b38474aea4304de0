#include "model/event_writer.hpp"

namespace declared {

EventWriter::EventWriter(const Election& election) : election_(election) {
    id_prefix_ = election.test ? "test:" : "";
    id_prefix_ += election.id;
    id_prefix_ += '#';
}

std::string EventWriter::event_id(std::uint64_t seq) const { return id_prefix_ + std::to_string(seq); }

JsonWriter& EventWriter::begin(std::uint64_t seq, EventType type, const Council* council, std::string_view at,
                               std::string_view received_at, std::string_view text) {
    pending_ = Event{};
    pending_.seq = seq;
    pending_.type = type;
    if (council) {
        pending_.council = council->id;
        pending_.region = council->region;
    }
    buf_.clear();
    w_.reset();
    w_.begin_object();
    w_.field("seq", seq);
    w_.field("id", event_id(seq));
    w_.field("type", to_string(type));
    w_.field("election", election_.id);
    w_.key("at").string_or_null(at);
    w_.key("received_at").string_or_null(received_at);
    w_.field("test", election_.test);
    w_.key("council").string_or_null(council ? std::string_view(council->id) : std::string_view());
    w_.key("region").string_or_null(council ? std::string_view(council->region) : std::string_view());
    w_.field("text", text);
    w_.key("data").begin_object();
    return w_;
}

Event EventWriter::finish() {
    w_.end_object();  // data
    w_.end_object();  // envelope
    // The event keeps the buffer; the next one starts from a fresh reservation.
    const std::size_t capacity = buf_.capacity();
    pending_.json = std::make_shared<const std::string>(std::move(buf_));
    buf_ = std::string();
    buf_.reserve(capacity);
    return std::move(pending_);
}

}  // namespace declared
