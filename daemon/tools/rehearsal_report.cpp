#include "daemon/tools/rehearsal_report.hpp"

#include <map>

#include <boost/json.hpp>

namespace declared {

namespace {

bool acknowledged(const std::string& status) {
    return status == "accepted" || status == "corrected" || status == "duplicate" || status == "stale" ||
           status == "applied";  // a desk action's
}

std::string line_label(const PlannedLine& l) {
    if (l.desk) return "the desk's withdrawal at line " + std::to_string(l.line_no);
    return l.line_no ? "line " + std::to_string(l.line_no) : std::string("made-up line");
}

std::string answer_words(const LineAnswer& a) {
    if (a.status.empty()) return "no answer";
    return a.message.empty() ? a.status : a.status + " (" + a.message + ")";
}

std::map<std::string, std::size_t> counts_by_kind(const FaultPlan& plan) {
    std::map<std::string, std::size_t> n;
    for (const auto& f : plan.faults) ++n[f.kind];
    return n;
}

}  // namespace

std::vector<std::string> rehearsal_surprises(const RehearsalOutcome& o) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < o.plan.lines.size(); ++i) {
        const PlannedLine& l = o.plan.lines[i];
        const LineAnswer& a = o.answers[i];
        if (!l.expect.empty() && a.status != l.expect && !(l.expect == "accepted" && a.status == "corrected"))
            out.push_back(line_label(l) + ": expected " + l.expect + ", the daemon answered " + answer_words(a));
        else if (l.expect.empty() && !acknowledged(a.status))
            out.push_back(line_label(l) + " (the night's own): the daemon answered " + answer_words(a));
    }
    return out;
}

std::string rehearsal_report_text(const RehearsalOutcome& o) {
    std::string out = "rehearsal: seed " + std::to_string(o.plan.seed) + ", " + std::to_string(o.plan.faults.size()) +
                      " faults injected into " + std::to_string(o.plan.lines.size()) + " lines sent\n";
    for (const auto& [kind, n] : counts_by_kind(o.plan)) out += "  " + kind + ": " + std::to_string(n) + "\n";
    out += "injected:\n";
    for (std::size_t f = 0; f < o.plan.faults.size(); ++f) {
        out += "  [" + o.plan.faults[f].kind + "] " + o.plan.faults[f].what + "\n";
        for (std::size_t i = 0; i < o.plan.lines.size(); ++i)
            if (o.plan.lines[i].fault == static_cast<int>(f) && o.plan.lines[i].burst < 0)
                out += "      sent " + line_label(o.plan.lines[i]) + ": " + answer_words(o.answers[i]) + "\n";
    }
    out += "refused or ignored by the daemon:\n";
    std::size_t refused = 0;
    for (std::size_t i = 0; i < o.plan.lines.size(); ++i)
        if (const auto& a = o.answers[i]; a.status != "accepted" && a.status != "corrected" && a.status != "duplicate" &&
                                                        a.status != "applied")
            ++refused, out += "  " + line_label(o.plan.lines[i]) + ": " + answer_words(a) + "\n";
    if (!refused) out += "  nothing\n";
    const auto surprises = rehearsal_surprises(o);
    out += "unexpected answers: " + std::string(surprises.empty() ? "none" : "") + "\n";
    for (const auto& s : surprises) out += "  " + s + "\n";
    if (!o.state.error.empty()) out += "final state: NOT CHECKED: " + o.state.error + "\n";
    else if (o.state.equal())
        out += "final state: EQUAL to the fault-free replay (scoreboard and " + std::to_string(o.state.councils) + " councils)\n";
    else {
        out += "final state: DIFFERS from the fault-free replay (" + std::to_string(o.state.differences.size()) + " differences)\n";
        for (const auto& d : o.state.differences) out += "  " + d + "\n";
    }
    if (!o.all_sent) out += "the replay stopped before sending every line\n";
    return out;
}

std::string rehearsal_report_json(const RehearsalOutcome& o) {
    namespace json = boost::json;
    json::object rates, counts;
    for (const auto& [k, r] : o.rates) rates[k] = r;
    for (const auto& [k, n] : counts_by_kind(o.plan)) counts[k] = n;
    json::array faults;
    for (std::size_t f = 0; f < o.plan.faults.size(); ++f) {
        const auto& fault = o.plan.faults[f];
        json::array sent;
        for (std::size_t i = 0; i < o.plan.lines.size(); ++i) {
            const PlannedLine& l = o.plan.lines[i];
            if (l.fault != static_cast<int>(f)) continue;
            sent.push_back({{"line", l.line_no}, {"desk", l.desk}, {"expected", l.expect},
                            {"answer", o.answers[i].status}, {"message", o.answers[i].message}});
        }
        faults.push_back({{"kind", fault.kind}, {"what", fault.what}, {"line", fault.line_no}, {"ward", fault.ward},
                          {"sent", std::move(sent)}});
    }
    json::array rejected, surprises, differences;
    for (std::size_t i = 0; i < o.plan.lines.size(); ++i)
        if (const auto& a = o.answers[i]; !acknowledged(a.status))
            rejected.push_back({{"line", o.plan.lines[i].line_no}, {"answer", a.status}, {"message", a.message},
                                {"fault", o.plan.lines[i].fault}});
    for (const auto& s : rehearsal_surprises(o)) surprises.push_back(json::string(s));
    for (const auto& d : o.state.differences) differences.push_back(json::string(d));
    json::object state{{"equal", o.state.equal()}, {"councils_compared", o.state.councils},
                       {"differences", std::move(differences)}};
    if (!o.state.error.empty()) state["error"] = o.state.error;
    json::object report{{"seed", o.plan.seed}, {"rates", std::move(rates)}, {"lines_sent", o.plan.lines.size()},
                        {"all_sent", o.all_sent}, {"injected", std::move(counts)}, {"faults", std::move(faults)},
                        {"rejected", std::move(rejected)}, {"unexpected_answers", std::move(surprises)},
                        {"final_state", std::move(state)}};
    return json::serialize(report) + "\n";
}

}  // namespace declared
