#pragma once
// What a subscriber asked for: councils, regions and event types. Matched on
// the keys that ride beside each event's bytes, never by parsing JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"
#include "model/event.hpp"

namespace declared::feed {

class EventFilter {
public:
    bool matches(const Event& e) const;
    bool everything() const { return councils_.empty() && regions_.empty() && types_ == kAllTypes; }

    // From comma lists ("" = all). Unknown type names are an error.
    static Result<EventFilter> parse(std::string_view councils, std::string_view regions, std::string_view types);

    const std::vector<std::string>& councils() const { return councils_; }

private:
    static constexpr std::uint32_t kAllTypes = ~std::uint32_t{0};
    std::vector<std::string> councils_;  // sorted
    std::vector<std::string> regions_;   // sorted
    std::uint32_t types_ = kAllTypes;    // bit per EventType
};

std::optional<EventType> event_type_from_string(std::string_view s);

// A comma list of a query parameter as a sorted set: empty items dropped,
// repeats once ("" is none).
std::vector<std::string> split_list(std::string_view list);

}  // namespace declared::feed
