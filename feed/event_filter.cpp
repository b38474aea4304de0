#include "feed/event_filter.hpp"

#include <algorithm>

namespace declared::feed {

namespace {

bool contains(const std::vector<std::string>& sorted, std::string_view key) {
    return std::binary_search(sorted.begin(), sorted.end(), key, std::less<>());
}

}  // namespace

std::vector<std::string> split_list(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        auto comma = list.find(',');
        auto item = list.substr(0, comma);
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::optional<EventType> event_type_from_string(std::string_view s) {
    for (int i = 0; i <= static_cast<int>(EventType::heartbeat); ++i)
        if (to_string(static_cast<EventType>(i)) == s) return static_cast<EventType>(i);
    return std::nullopt;
}

bool EventFilter::matches(const Event& e) const {
    if (!(types_ & (1u << static_cast<unsigned>(e.type)))) return false;
    // National events (no council) reach council and region subscribers too:
    // the scoreboard belongs to everyone.
    if (!councils_.empty() && !e.council.empty() && !contains(councils_, e.council)) return false;
    if (!regions_.empty() && !e.region.empty() && !contains(regions_, e.region)) return false;
    return true;
}

Result<EventFilter> EventFilter::parse(std::string_view councils, std::string_view regions, std::string_view types) {
    EventFilter f;
    f.councils_ = split_list(councils);
    f.regions_ = split_list(regions);
    auto names = split_list(types);
    if (!names.empty()) {
        f.types_ = 0;
        for (const auto& n : names) {
            auto t = event_type_from_string(n);
            if (!t)
                return Result<EventFilter>::of_error(
                    {"bad_filter", "types", "event types among ward_declared, declaration_corrected, council_updated, "
                                            "control_called, call_retracted, scoreboard, call_proposed, "
                                            "call_conflict, declaration_withdrawn, ward_state, embargo_set, embargo_lifted",
                     "\"" + n.substr(0, 48) + "\""});
            f.types_ |= 1u << static_cast<unsigned>(*t);
        }
    }
    return {std::move(f), {}};
}

}  // namespace declared::feed
