#include "daemon/tools/fault_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace declared {

namespace {

constexpr FaultKind kReplayKinds[] = {
    {"duplicate", 0.02, "a declaration sent again, unchanged"},
    {"out_of_order", 0.01, "a correction sent before the revision it replaces"},
    {"stale", 0.01, "a superseded revision sent again after its correction"},
    {"conflict", 0.01, "the same revision sent again with different figures"},
    {"late_correction", 0.01, "a higher revision of an early ward, near the end of the night"},
    {"malformed", 0.01, "a line that is not a valid declaration"},
    {"burst", 0.01, "a run of declarations sent at once, each in its own concurrent request"},
    {"pause", 0.005, "the sender falls silent for a while"},
    {"withdrawal", 0.005, "a wrong result for a ward, withdrawn by the desk, then the right one as a higher revision "
                          "(needs --desk-token)"},
};

constexpr FaultKind kSimKinds[] = {
    {"http500", 0.05, "a 500 answer"},
    {"timeout", 0.02, "no answer within the poller's timeout"},
    {"slow_body", 0.05, "a body trickled out slowly (within the timeout)"},
    {"truncated", 0.05, "a body cut off part-way (the connection closes early)"},
    {"etag_churn", 0.05, "a new ETag for an unchanged body"},
};

std::string names_of(std::span<const FaultKind> kinds) {
    std::string out;
    for (const auto& k : kinds) out += (out.empty() ? "" : ", ") + std::string(k.name);
    return out;
}

const FaultKind* find(std::span<const FaultKind> kinds, std::string_view name) {
    auto it = std::find_if(kinds.begin(), kinds.end(), [&](const FaultKind& k) { return k.name == name; });
    return it == kinds.end() ? nullptr : &*it;
}

// The command that does know a kind, for a more useful refusal.
std::string_view owner_of(std::string_view name) {
    if (find(kReplayKinds, name)) return "declared replay --to";
    if (find(kSimKinds, name)) return "declared upstream-sim";
    return {};
}

}  // namespace

std::span<const FaultKind> replay_fault_kinds() { return kReplayKinds; }
std::span<const FaultKind> sim_fault_kinds() { return kSimKinds; }

Result<FaultRates> parse_fault_spec(std::string_view spec, std::span<const FaultKind> kinds) {
    using R = Result<FaultRates>;
    FaultRates rates;
    if (spec.empty()) return R::of_error({"bad_faults", "--faults", "all, or kind=rate[,kind=rate...]", "nothing"});
    std::size_t index = 0;
    for (std::size_t pos = 0; pos <= spec.size(); ++index) {
        std::size_t end = std::min(spec.find(',', pos), spec.size());
        std::string_view item = spec.substr(pos, end - pos);
        pos = end + 1;
        const std::string where = "--faults item " + std::to_string(index + 1);
        if (item == "all") {
            for (const auto& k : kinds) rates[std::string(k.name)] = k.default_rate;
            continue;
        }
        const auto eq = item.find('=');
        std::string_view name = item.substr(0, eq);
        const FaultKind* kind = find(kinds, name);
        if (!kind) {
            std::string got = "'" + std::string(name) + "'";
            if (auto owner = owner_of(name); !owner.empty()) got += " (a fault of " + std::string(owner) + ")";
            return R::of_error({"bad_faults", where, "all or one of " + names_of(kinds), got});
        }
        if (eq == std::string_view::npos) {
            rates[std::string(name)] = kind->default_rate;
            continue;
        }
        std::string_view value = item.substr(eq + 1);
        double rate = -1;
        auto r = std::from_chars(value.data(), value.data() + value.size(), rate);
        if (r.ec != std::errc() || r.ptr != value.data() + value.size() || !(rate >= 0 && rate <= 1))
            return R::of_error({"bad_faults", where + " (" + std::string(name) + ")", "a rate from 0 to 1",
                            "'" + std::string(value) + "'"});
        rates[std::string(name)] = rate;
    }
    std::erase_if(rates, [](const auto& kv) { return kv.second == 0; });
    return {std::move(rates), {}};
}

std::string describe_fault_kinds(std::span<const FaultKind> kinds) {
    std::string out;
    char rate[32];
    for (const auto& k : kinds) {
        std::snprintf(rate, sizeof rate, "%g", k.default_rate);
        out += "  " + std::string(k.name) + " (default " + rate + "): " + std::string(k.what) + "\n";
    }
    return out;
}

}  // namespace declared
