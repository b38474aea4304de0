#include "daemon/tools/demo_desk.hpp"

#include <boost/json.hpp>

namespace declared {

std::vector<std::vector<std::string>> demo_desk_actions(const std::string& card_json, std::size_t approve) {
    std::vector<std::vector<std::string>> out;
    boost::system::error_code ec;
    auto card = boost::json::parse(card_json, ec);
    if (ec || !card.is_object() || !card.as_object().contains("councils")) return out;
    std::size_t taken = 0;
    for (const auto& v : card.at("councils").as_array()) {
        const auto& c = v.as_object();
        const auto* wards = c.if_contains("wards");
        if (!wards || !wards->is_array() || wards->as_array().empty()) continue;  // no election tonight
        const std::string id(c.at("id").as_string());
        if (taken < approve) {
            out.push_back({"policy", id, "approve", "--reason", "demo: this council's calls are approved by hand"});
        } else {
            // A desk call ahead of the arithmetic: the party in control before keeps it.
            const auto* before = c.if_contains("control_before");
            std::string control = before && before->is_string() ? std::string(before->as_string()) : "NOC";
            if (control.empty()) control = "NOC";
            out.push_back({"override", id, control, "--reason", "demo: our reporter at the count calls it early"});
            break;
        }
        ++taken;
    }
    return out;
}

}  // namespace declared
