#include "model/event.hpp"

namespace declared {

std::string_view to_string(EventType t) {
    switch (t) {
        case EventType::ward_declared: return "ward_declared";
        case EventType::declaration_corrected: return "declaration_corrected";
        case EventType::council_updated: return "council_updated";
        case EventType::control_called: return "control_called";
        case EventType::call_retracted: return "call_retracted";
        case EventType::scoreboard: return "scoreboard";
        case EventType::call_proposed: return "call_proposed";
        case EventType::call_conflict: return "call_conflict";
        case EventType::declaration_withdrawn: return "declaration_withdrawn";
        case EventType::ward_state: return "ward_state";
        case EventType::embargo_set: return "embargo_set";
        case EventType::embargo_lifted: return "embargo_lifted";
        case EventType::heartbeat: break;
    }
    return "heartbeat";
}

}  // namespace declared
