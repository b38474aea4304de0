#include "model/desk_action_json.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <simdjson.h>

#include "model/details/json_reader.hpp"
#include "model/json_writer.hpp"
#include "model/utc_time.hpp"

namespace declared {

namespace {

constexpr std::size_t kMaxBytes = 16 * 1024;
constexpr std::int64_t kMaxRevision = 1'000'000'000;

struct KindName {
    DeskKind kind;
    std::string_view name;
};
constexpr std::array<KindName, 9> kKinds{{
    {DeskKind::policy, "policy"},
    {DeskKind::release, "release"},
    {DeskKind::approve, "approve"},
    {DeskKind::override_call, "override"},
    {DeskKind::hand_back, "return"},
    {DeskKind::withdraw, "withdraw"},
    {DeskKind::ward_state, "ward_state"},
    {DeskKind::embargo, "embargo"},
    {DeskKind::lift_embargo, "lift_embargo"},
}};
constexpr std::string_view kKindList =
    "one of policy, release, approve, override, return, withdraw, ward_state, embargo, lift_embargo";

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// An action takes action, reason (and from the journal, by) and its own
// fields: anything else is refused, by name.
void only_fields(details::JsonReader& r, simdjson::dom::object o, const DeskAction& a, bool from_journal,
                 std::initializer_list<std::string_view> extra) {
    std::vector<std::string_view> allowed{"action", "reason"};
    if (from_journal) allowed.push_back("by");
    allowed.insert(allowed.end(), extra.begin(), extra.end());
    for (auto field : o) {
        if (r.failed()) return;
        if (std::find(allowed.begin(), allowed.end(), field.key) == allowed.end())
            r.reject("unknown_field", std::string(field.key), "no such field for action " + std::string(to_string(a.kind)),
                   in_quotes(field.key));
    }
}

void read_utc(details::JsonReader& r, simdjson::dom::object o, std::string_view key, std::string& out) {
    r.string(o, "", key, out, false, 64);
    if (!r.failed() && !out.empty() && !is_utc_time(out))
        r.reject("bad_time", std::string(key), "a UTC time such as 2022-05-06T03:30:00Z", in_quotes(out));
}

// policy and release: the council (none: night-wide) and the policy.
void read_policy(details::JsonReader& r, simdjson::dom::object o, DeskAction& a) {
    std::string policy;
    r.string(o, "", "council", a.council, false);
    r.string(o, "", "policy", policy, a.kind == DeskKind::policy, 16);
    if (r.failed() || policy.empty()) return;
    if (policy == "auto") a.policy = CallPolicy::automatic;
    else if (policy == "approve") a.policy = CallPolicy::approve;
    else if (policy == "hold" && a.kind == DeskKind::policy) a.policy = CallPolicy::hold;
    else if (policy == "default" && a.kind == DeskKind::policy && !a.council.empty()) a.policy_default = true;
    else
        r.reject("bad_policy", "policy",
               a.kind == DeskKind::release ? "auto or approve (the policy after the hold)"
                                           : "auto, approve, hold, or default (a council follows the night's)",
               in_quotes(policy));
}

// The fields each action takes besides action, reason and by.
void read_fields(details::JsonReader& r, simdjson::dom::object o, DeskAction& a, bool from_journal) {
    auto only = [&](std::initializer_list<std::string_view> extra) { only_fields(r, o, a, from_journal, extra); };
    auto utc = [&](std::string_view key, std::string& out) { read_utc(r, o, key, out); };
    switch (a.kind) {
        case DeskKind::policy:
        case DeskKind::release:
            only({"council", "policy"});
            read_policy(r, o, a);
            break;
        case DeskKind::approve:
        case DeskKind::override_call:
            only({"council", "control"});
            r.string(o, "", "council", a.council, true);
            r.string(o, "", "control", a.control, a.kind == DeskKind::override_call, 64);
            break;
        case DeskKind::hand_back:
            only({"council"});
            r.string(o, "", "council", a.council, true);
            break;
        case DeskKind::withdraw:
            only({"council", "ward", "revision"});
            r.string(o, "", "council", a.council, true);
            r.string(o, "", "ward", a.ward, true);
            r.integer(o, "", "revision", a.revision, 1, kMaxRevision, true);
            break;
        case DeskKind::ward_state:
            only({"council", "ward", "state", "expected_at"});
            r.string(o, "", "council", a.council, true);
            r.string(o, "", "ward", a.ward, true);
            r.string(o, "", "state", a.state, true, 32);
            if (!r.failed() && a.state != "recount" && a.state != "count_adjourned" && a.state != "none")
                r.reject("bad_state", "state", "recount, count_adjourned or none", in_quotes(a.state));
            utc("expected_at", a.expected_at);
            if (!r.failed() && !a.expected_at.empty() && a.state != "count_adjourned")
                r.reject("unexpected_field", "expected_at", "expected_at only with state count_adjourned", in_quotes(a.state));
            break;
        case DeskKind::embargo:
        case DeskKind::lift_embargo:
            only({"until"});
            utc("until", a.until);
            break;
    }
}

}  // namespace

std::string_view to_string(DeskKind k) {
    for (const auto& [kind, name] : kKinds)
        if (kind == k) return name;
    return "policy";
}

std::string_view to_string(CallPolicy p) {
    switch (p) {
        case CallPolicy::automatic: return "auto";
        case CallPolicy::approve: return "approve";
        case CallPolicy::hold: break;
    }
    return "hold";
}

Result<DeskAction> parse_desk_action(std::string_view json, bool from_journal) {
    using R = Result<DeskAction>;
    if (json.size() > kMaxBytes)
        return R::of_error({"too_large", "", "a desk action of at most " + std::to_string(kMaxBytes) + " bytes",
                        std::to_string(json.size()) + " bytes"});
    simdjson::dom::parser parser;  // desk actions are rare: no parser kept
    simdjson::dom::element root;
    if (auto err = parser.parse(json.data(), json.size(), true).get(root); err != simdjson::SUCCESS)
        return R::of_error({"invalid_json", "", "a valid UTF-8 JSON object", simdjson::error_message(err)});
    simdjson::dom::object o;
    if (root.get_object().get(o) != simdjson::SUCCESS)
        return R::of_error({"wrong_type", "", "a JSON object", details::describe(root)});
    details::JsonReader r;
    DeskAction a;
    std::string action;
    r.string(o, "", "action", action, true, 32);
    if (r.failed()) return R::of_error(r.error());
    const auto* found = std::find_if(kKinds.begin(), kKinds.end(), [&](const KindName& k) { return k.name == action; });
    if (found == kKinds.end()) return R::of_error({"bad_action", "action", std::string(kKindList), in_quotes(action)});
    a.kind = found->kind;
    if (!from_journal && o["by"].error() == simdjson::SUCCESS)
        return R::of_error({"unexpected_field", "by", "no \"by\": the desk token's name is recorded as who did it",
                        "a \"by\" field"});
    read_fields(r, o, a, from_journal);
    r.string(o, "", "reason", a.reason, true, kMaxReasonBytes);
    if (from_journal) r.string(o, "", "by", a.by, true);
    if (r.failed()) return R::of_error(r.error());
    return R{std::move(a), {}};
}

void write_desk_action(JsonWriter& w, const DeskAction& a) {
    w.begin_object();
    w.field("action", to_string(a.kind));
    if (!a.by.empty()) w.field("by", a.by);
    if (!a.council.empty()) w.field("council", a.council);
    if (!a.ward.empty()) w.field("ward", a.ward);
    if (a.kind == DeskKind::withdraw) w.field("revision", a.revision);
    if (a.kind == DeskKind::policy || a.kind == DeskKind::release)
        w.field("policy", a.policy_default ? std::string_view("default") : to_string(a.policy));
    if (!a.control.empty()) w.field("control", a.control);
    if (!a.state.empty()) w.field("state", a.state);
    if (!a.expected_at.empty()) w.field("expected_at", a.expected_at);
    if (!a.until.empty()) w.field("until", a.until);
    w.field("reason", a.reason);
    w.end_object();
}

std::string desk_action_to_json(const DeskAction& a) {
    JsonWriter w;
    write_desk_action(w, a);
    return w.str();
}

}  // namespace declared
