#include "model/event_writer.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace declared {

namespace json = boost::json;

EventWriter::EventWriter(const Election& election) : election_(election) {
    id_prefix_ = election.test ? "test:" : "";
    id_prefix_ += election.id;
    id_prefix_ += '#';
}

std::string EventWriter::event_id(std::uint64_t seq) const { return id_prefix_ + std::to_string(seq); }

namespace {
json::value string_or_null(std::string_view s) { return s.empty() ? json::value(nullptr) : json::value(s); }
}  // namespace

Event EventWriter::write(std::uint64_t seq, EventType type, const Council* council, std::string_view at,
                         std::string_view received_at, std::string_view text, json::object data) const {
    json::object env(data.storage());
    env.reserve(11);
    env.emplace("seq", seq);
    env.emplace("id", event_id(seq));
    env.emplace("type", to_string(type));
    env.emplace("election", election_.id);
    env.emplace("at", string_or_null(at));
    env.emplace("received_at", string_or_null(received_at));
    env.emplace("test", election_.test);
    env.emplace("council", council ? json::value(council->id) : json::value(nullptr));
    env.emplace("region", council ? string_or_null(council->region) : json::value(nullptr));
    env.emplace("text", text);
    env.emplace("data", std::move(data));

    Event e;
    e.seq = seq;
    e.type = type;
    if (council) {
        e.council = council->id;
        e.region = council->region;
    }
    e.json = std::make_shared<const std::string>(json::serialize(env));
    return e;
}

}  // namespace declared
