// declared replay: apply a night's declarations offline, in file order, and
// print the final state (--summary), the event stream (--events) or a table.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <unordered_map>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "daemon/serve/csv_export.hpp"
#include "daemon/tools/push_replay.hpp"
#include "daemon/tools/night_file.hpp"
#include "ingest/read_file.hpp"
#include "daemon/tools/state_compare.hpp"
#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"

namespace po = boost::program_options;

namespace declared {

namespace {

struct Counts {
    std::size_t applied = 0, duplicate = 0, stale = 0, rejected = 0;
};

void print_table(const std::string& summary_json, std::FILE* out) {
    auto summary = boost::json::parse(summary_json).as_object();
    auto section = [&](const char* title, const char* key) {
        std::fprintf(out, "%s\n", title);
        if (auto* m = summary.if_contains(key); m && m->is_object())
            for (const auto& kv : m->as_object()) {
                const auto& v = kv.value().as_object();
                std::fprintf(out, "  %-10s %6lld  (%+lld)\n", std::string(kv.key()).c_str(),
                             static_cast<long long>(v.at("count").to_number<std::int64_t>()),
                             static_cast<long long>(v.at("change").to_number<std::int64_t>()));
            }
    };
    std::fprintf(out, "Councils declared: %lld of %lld\n\n",
                 static_cast<long long>(summary.at("councils_declared").to_number<std::int64_t>()),
                 static_cast<long long>(summary.at("councils_total").to_number<std::int64_t>()));
    section("Councils", "councils");
    section("\nCouncillors elected", "councillors");
    std::fprintf(out, "\n%-40s %-8s %s\n", "Council", "Control", "Outcome");
    for (const auto& c : summary.at("by_council").as_array()) {
        const auto& o = c.as_object();
        auto str = [&](const char* k) {
            auto* v = o.if_contains(k);
            return v && v->is_string() ? std::string(v->as_string()) : std::string("-");
        };
        std::fprintf(out, "%-40s %-8s %s\n", str("name").c_str(), str("control").c_str(), str("outcome").c_str());
    }
}

std::string fault_help() {
    return "with --to: a rehearsal: inject faults at seeded random points and end with a report. SPEC is 'all' or "
           "kind=rate,... (rate: share of the night's lines; a kind named gets at least one). Kinds:\n" +
           describe_fault_kinds(replay_fault_kinds());
}

// --check: the daemon's state against the offline replay of the file.
int check_command(const std::string& url, const std::string& read_token, const std::string& card_path,
                  const std::string& decl_path) {
    std::string error;
    auto night = read_night_files(card_path, decl_path, error);
    if (!night) return std::cerr << "declared replay: " << error << '\n', 1;
    std::vector<NightInput> lines;
    for (std::size_t pos = 0; pos < night->declarations.size();) {
        const std::size_t end = std::min(night->declarations.find('\n', pos), night->declarations.size());
        lines.push_back({night->declarations.substr(pos, end - pos)});
        pos = end + 1;
    }
    const StateComparison state = compare_with_offline(url, read_token, night->card, lines);
    if (!state.error.empty()) return std::cerr << "declared replay: --check: " << state.error << '\n', 1;
    for (const auto& d : state.differences) std::cout << d << '\n';
    std::cout << "check: the daemon's scoreboard and " << state.councils << " councils "
              << (state.equal() ? "EQUAL" : "DIFFER FROM") << " the offline replay of " << decl_path << '\n';
    return state.equal() ? 0 : 1;
}

}  // namespace

int replay_command(const Args& args) {
    po::options_description opts("declared replay --card FILE --declarations FILE [--summary | --events]");
    std::string card_path, decl_path;
    opts.add_options()
        ("help,h", "show this help")
        ("card", po::value(&card_path)->required(), "election card (JSON)")
        ("declarations", po::value(&decl_path)->required(), "declarations, one JSON object per line, applied in file order")
        ("summary", "print the final state as one JSON object")
        ("events", "print every event as JSON lines")
        ("csv", po::value<std::string>(), "also write results.csv and councils.csv into this directory (as GET /v1/export/*.csv)")
        ("to", po::value<std::string>(), "push into a running daemon at this URL (http://HOST:PORT) instead")
        ("speed", po::value<std::string>()->default_value("max"), "with --to: night seconds per second (600: ten minutes a second), or max")
        ("token", po::value<std::string>()->default_value(""), "with --to: bearer token for POST /v1/declarations")
        ("faults", po::value<std::string>(), fault_help().c_str())
        ("seed", po::value<std::uint64_t>(), "with --faults: seed for the faults' random points (default: a random one, reported)")
        ("report", po::value<std::string>(), "with --faults: also write the rehearsal report to this file as JSON")
        ("intended", po::value<std::string>(), "with --faults: write the fault-free night's declarations (the night plus "
                                               "its corrections) to this file, to replay offline")
        ("read-token", po::value<std::string>()->default_value(""), "with --faults or --check: read token of a private night")
        ("desk-token", po::value<std::string>(), "with --faults withdrawal: a desk token of the daemon, to withdraw the "
                                                 "wrong results (default: $DECLARED_DESK_TOKEN)")
        ("check", "with --to: send nothing; compare the daemon's scoreboard and every council with the offline replay "
                  "(exit 1 when they differ)");
    po::variables_map vm;
    if (auto exit = read_options("declared replay", po::command_line_parser(args).options(opts), opts, vm))
        return *exit;
    if (vm.count("summary") && vm.count("events")) {
        std::cerr << "declared replay: --summary and --events are alternatives; choose one\n";
        return 2;
    }

    if (vm.count("to") && vm.count("csv")) {
        std::cerr << "declared replay: --csv writes files offline; with --to the daemon serves them at /v1/export/\n";
        return 2;
    }
    if (vm.count("csv") && vm["csv"].as<std::string>().empty()) {
        std::cerr << "declared replay: --csv: expected a directory, got nothing\n";
        return 2;
    }

    for (const char* with_to : {"faults", "seed", "report", "intended", "check", "desk-token"})
        if (vm.count(with_to) && !vm.count("to"))
            return std::cerr << "declared replay: --" << with_to << " rehearses against a daemon: it needs --to URL\n", 2;
    if ((vm.count("seed") || vm.count("report") || vm.count("intended") || vm.count("desk-token")) && !vm.count("faults"))
        return std::cerr << "declared replay: --seed, --report, --intended and --desk-token belong to a rehearsal: "
                            "add --faults SPEC\n",
               2;
    if (vm.count("check") && vm.count("faults"))
        return std::cerr << "declared replay: --check sends nothing; --faults sends the night: choose one\n", 2;
    if (vm.count("check"))
        return check_command(vm["to"].as<std::string>(), vm["read-token"].as<std::string>(), card_path, decl_path);

    if (vm.count("to")) {
        PushOptions push;
        push.url = vm["to"].as<std::string>();
        push.token = vm["token"].as<std::string>();
        push.card_path = card_path;
        push.declarations_path = decl_path;
        if (!parse_speed(vm["speed"].as<std::string>(), push.speed))
            return std::cerr << "declared replay: --speed: expected a number above 0 or max\n", 2;
        if (vm.count("faults")) {
            auto rates = parse_fault_spec(vm["faults"].as<std::string>(), replay_fault_kinds());
            if (!rates.ok()) return std::cerr << "declared replay: " << rates.error.message() << '\n', 2;
            push.faults = std::move(*rates.value);
            push.seed = vm.count("seed") ? vm["seed"].as<std::uint64_t>() : std::random_device{}();
            if (vm.count("report")) push.report_path = vm["report"].as<std::string>();
            if (vm.count("intended")) push.intended_path = vm["intended"].as<std::string>();
            push.read_token = vm["read-token"].as<std::string>();
            if (vm.count("desk-token")) push.desk_token = vm["desk-token"].as<std::string>();
            else if (const char* t = std::getenv("DECLARED_DESK_TOKEN")) push.desk_token = t;
        }
        return push_replay(push);
    }

    std::string error;
    auto night = read_night_files(card_path, decl_path, error);
    if (!night) return std::cerr << "declared replay: " << error << '\n', 1;

    const bool events = vm.count("events") > 0;
    Tally tally(night->card);
    const bool csv = vm.count("csv") > 0;
    std::unordered_map<std::uint64_t, std::string> declared_at;  // for --csv: each result event's "at"
    auto emit = [&](const std::vector<Event>& evs) {
        if (csv)
            for (const auto& e : evs)
                if (e.type == EventType::ward_declared || e.type == EventType::declaration_corrected)
                    declared_at[e.seq] = event_at(*e.json);
        if (!events) return;
        for (const auto& e : evs) {
            std::fwrite(e.json->data(), 1, e.json->size(), stdout);
            std::fputc('\n', stdout);
        }
    };
    emit(tally.start());

    DeclarationParser parser;
    Counts n;
    const std::string& text = night->declarations;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        auto parsed = parser.parse(line);
        if (!parsed.ok()) {
            ++n.rejected;
            std::cerr << decl_path << ':' << line_no << ": rejected: " << parsed.error.message() << '\n';
            continue;
        }
        Declaration& d = *parsed.value;
        Assessment a = tally.assess(d);
        switch (a.verdict) {
            case Verdict::fresh:
            case Verdict::correction: ++n.applied; emit(tally.apply(d, d.declared_at)); break;
            case Verdict::duplicate: ++n.duplicate; break;
            case Verdict::stale:
                ++n.stale;
                std::cerr << decl_path << ':' << line_no << ": ignored: " << a.error.message() << '\n';
                break;
            case Verdict::conflict:
            case Verdict::rejected:
                ++n.rejected;
                std::cerr << decl_path << ':' << line_no << ": rejected: " << a.error.message() << '\n';
                break;
        }
    }

    if (csv) {
        const std::string dir = vm["csv"].as<std::string>();
        auto at = [&](std::uint64_t seq) {
            auto it = declared_at.find(seq);
            return it == declared_at.end() ? std::string() : it->second;
        };
        if (auto e = write_csv_files(dir, tally, at)) return std::cerr << "declared replay: " << e->message() << '\n', 1;
        std::cerr << "replay: wrote " << dir << "/results.csv and " << dir << "/councils.csv\n";
    }
    if (vm.count("summary")) std::cout << tally.summary_json() << '\n';
    else if (!events) print_table(tally.summary_json(), stdout);
    std::fflush(stdout);
    std::cerr << "replay: " << n.applied << " applied, " << n.duplicate << " duplicate, " << n.stale << " stale, "
              << n.rejected << " rejected\n";
    return 0;
}

}  // namespace declared
