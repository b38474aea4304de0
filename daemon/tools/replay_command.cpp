// declared replay: apply a night's declarations offline, in file order, and
// print the final state (--summary), the event stream (--events) or a table.
#include <cstdio>
#include <iostream>
#include <string>
#include <unordered_map>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "daemon/commands.hpp"
#include "daemon/serve/csv_export.hpp"
#include "daemon/tools/push_replay.hpp"
#include "ingest/read_file.hpp"
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
        ("token", po::value<std::string>()->default_value(""), "with --to: bearer token for POST /v1/declarations");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(opts).run(), vm);
        if (vm.count("help")) return std::cout << opts << '\n', 0;
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "declared replay: " << e.what() << "\n" << opts << '\n';
        return 2;
    }
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

    if (vm.count("to")) {
        PushOptions push;
        push.url = vm["to"].as<std::string>();
        push.token = vm["token"].as<std::string>();
        push.card_path = card_path;
        push.declarations_path = decl_path;
        if (!parse_speed(vm["speed"].as<std::string>(), push.speed))
            return std::cerr << "declared replay: --speed: expected a number above 0 or max\n", 2;
        return push_replay(push);
    }

    auto card_text = read_file(card_path);
    if (!card_text.ok()) return std::cerr << "declared replay: " << card_text.error.message() << '\n', 1;
    auto card = parse_card(*card_text.value);
    if (!card.ok()) return std::cerr << "declared replay: " << card_path << ": " << card.error.message() << '\n', 1;
    auto decls = read_file(decl_path);
    if (!decls.ok()) return std::cerr << "declared replay: " << decls.error.message() << '\n', 1;

    const bool events = vm.count("events") > 0;
    Tally tally(*card.value);
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
    const std::string& text = *decls.value;
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
