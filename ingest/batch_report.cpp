#include "ingest/batch_report.hpp"

#include <boost/json.hpp>

namespace declared {

std::string_view status_word(Verdict v) {
    switch (v) {
        case Verdict::fresh: return "accepted";
        case Verdict::correction: return "corrected";
        default: return to_string(v);
    }
}

boost::json::object error_json(const Error& e) {
    return {{"code", e.code}, {"path", e.path}, {"expected", e.expected}, {"got", e.got}, {"message", e.message()}};
}

boost::json::object batch_report(const BatchResult& r) {
    boost::json::array lines;
    std::size_t accepted = 0, duplicate = 0, stale = 0, rejected = 0;
    for (const auto& l : r.lines) {
        boost::json::object o{{"line", l.line}, {"status", status_word(l.verdict)}};
        if (!l.ward.empty()) o["ward"] = l.ward;
        if (l.revision) o["revision"] = l.revision;
        if (!l.seqs.empty()) {
            boost::json::array seqs;
            for (auto s : l.seqs) seqs.push_back(s);
            o["seqs"] = std::move(seqs);
        }
        if (!l.error.code.empty()) o["error"] = error_json(l.error);
        switch (l.verdict) {
            case Verdict::fresh:
            case Verdict::correction: ++accepted; break;
            case Verdict::duplicate: ++duplicate; break;
            case Verdict::stale: ++stale; break;
            default: ++rejected; break;
        }
        lines.push_back(std::move(o));
    }
    std::string_view word = "done";
    if (r.status == BatchResult::Status::rejected) word = "rejected";
    if (r.status == BatchResult::Status::conflict) word = "conflict";
    // A single declaration also says what happened at the top level.
    if (r.status == BatchResult::Status::done && r.lines.size() == 1) word = status_word(r.lines[0].verdict);
    boost::json::object body{{"status", word},  {"accepted", accepted}, {"duplicate", duplicate},
                             {"stale", stale}, {"rejected", rejected}, {"results", std::move(lines)}};
    // The first refusal, at the top, for clients that read only one error.
    for (const auto& l : r.lines)
        if (!l.error.code.empty() && l.verdict != Verdict::stale) {
            auto err = error_json(l.error);
            err["line"] = l.line;
            body["error"] = std::move(err);
            break;
        }
    return body;
}

}  // namespace declared
