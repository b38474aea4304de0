#include "model/details/event_writer.hpp"

#include <charconv>
#include <stdexcept>

namespace declared {

namespace {
std::string test_and_places(bool test, const std::string& council, const std::string& region) {
    JsonWriter w;
    w.field("test", test);
    w.key("council").string_or_null(council);
    w.key("region").string_or_null(region);
    w.key("text");
    return "," + w.str();
}
}  // namespace

EventWriter::EventWriter(const Card& card) : card_(card) {
    const Election& e = card.election;
    id_prefix_ = e.test ? "test:" : "";
    id_prefix_ += e.id;
    id_prefix_ += '#';
    // Escaping is character by character, so the escaped prefix followed by
    // the digits is the escaped id.
    id_open_ = JsonWriter::quoted(id_prefix_);
    id_open_.pop_back();
    for (std::size_t t = 0; t < kTypes; ++t) {
        JsonWriter w;
        w.field("type", to_string(static_cast<EventType>(t)));
        w.field("election", e.id).key("at");
        after_id_[t] = "\"," + w.str();
    }
    for (const auto& c : card.councils) council_part_.push_back(test_and_places(e.test, c.id, c.region));
    national_part_ = test_and_places(e.test, {}, {});
}

std::string EventWriter::event_id(std::uint64_t seq) const { return id_prefix_ + std::to_string(seq); }

void EventWriter::write_id(JsonWriter& w, std::uint64_t seq) const {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, seq).ptr;
    id_scratch_.assign(id_open_).append(digits, end).push_back('"');
    w.json(id_scratch_);
}

JsonWriter& EventWriter::begin(std::uint64_t seq, EventType type, const Council* council, std::string_view at,
                               std::string_view received_at, std::string_view text) {
    pending_ = Event{};
    pending_.seq = seq;
    pending_.type = type;
    const std::string* places = &national_part_;
    if (council) {
        const auto i = static_cast<std::size_t>(council - card_.councils.data());
        if (i >= card_.councils.size()) throw std::invalid_argument("council not on the card: " + council->id);
        pending_.council = council->id;
        pending_.region = council->region;
        places = &council_part_[i];
    }
    w_.clear();
    w_.raw("{\"seq\":").digits(seq);
    w_.raw(",\"id\":").raw(id_open_).digits(seq).raw(after_id_[static_cast<std::size_t>(type)]);
    w_.string_or_null(at);
    w_.key("received_at").string_or_null(received_at);
    w_.raw(*places).value(text);
    w_.key("data").begin_object();
    return w_;
}

Event EventWriter::finish() {
    w_.end_object();  // data
    w_.end_object();  // envelope
    // The event gets an exact-size copy; the writer keeps its buffer for the next.
    pending_.json = std::make_shared<const std::string>(w_.view());
    return std::move(pending_);
}

}  // namespace declared
