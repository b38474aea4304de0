// declared import leh --candidates FILE [--councils FILE] [--baseline FILE]
//   [--roster FILE] [--party-names FILE] [--wards FILE] [--notional FILE] [--postponed "COUNCIL:WARD"]...
//   [--hexmap FILE] [--seed N] [--date YYYY-MM-DD] [--nation england|wales|scotland|all] --out DIR
// declared import leap FILE [--out DIR] [--notional FILE] [--hexmap FILE] [--seed N] [--date YYYY-MM-DD] [--nation ...]
#include <boost/program_options.hpp>

#include <filesystem>
#include <functional>
#include <iostream>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "daemon/tools/import/hexmap.hpp"
#include "daemon/tools/import/importer.hpp"
#include "daemon/tools/import/leap_night.hpp"
#include "ingest/read_file.hpp"

namespace declared {

namespace {

namespace po = boost::program_options;

// What both sources share: the options after the tables, the hex map, the
// report and the two files.
struct Common {
    std::string out, hexmap;
};

void add_common(po::options_description& desc, import::ImportOptions& opt, Common& common) {
    desc.add_options()
        ("notional", po::value(&opt.notional), "notional baseline (CSV: council, ward, party, seats): who last won each seat on tonight's boundaries; see docs/import.md")
        ("hexmap", po::value(&common.hexmap), "HexJSON map (odd-r, keyed by ONS code): places each council on the page's map")
        ("seed", po::value(&opt.seed), "seed of the synthesised declaration times")
        ("nation", po::value(&opt.nation), "england, wales, scotland or all, by the councils' ONS codes (default: england for leh, all for leap)")
        ("out", po::value(&common.out), "output directory for card.json and declarations.jsonl");
}

// Parses args into vm; returns an exit code when the command should stop (help, bad options).
std::optional<int> parse(const std::string& name, const po::options_description& desc, const po::positional_options_description* pos,
                         const Args& args, po::variables_map& vm) {
    po::command_line_parser parser(std::vector<std::string>(args.begin() + 1, args.end()));
    parser.options(desc);
    if (pos) parser.positional(*pos);
    return read_options(name, std::move(parser), desc, vm);
}

bool nation_ok(const std::string& name, const std::string& nation) {
    if (nation == "england" || nation == "wales" || nation == "scotland" || nation == "all") return true;
    std::cerr << name << ": --nation must be england, wales, scotland or all\n";
    return false;
}

// Builds, places on the hex map, writes, reports. Nothing is written when any step fails.
int build_and_write(const std::string& name, const Common& common, const std::function<import::ImportResult()>& build) {
    try {
        std::string hexjson;
        if (!common.hexmap.empty()) {  // read before importing: a missing file fails fast
            auto text = read_file(common.hexmap);
            if (!text.ok()) return std::cerr << name << ": --hexmap: " << text.error.message() << "\n", 1;
            hexjson = std::move(*text.value);
        }
        auto result = build();
        if (!common.hexmap.empty()) {
            auto placed = import::place_on_hexmap(result.card, hexjson, common.hexmap);
            result.report.notes.push_back("hex map " + common.hexmap + ": placed " + std::to_string(placed.placed) + " of " +
                                          std::to_string(result.card.councils.size()) + " councils by ONS code");
            for (const auto& u : placed.unplaced)
                result.report.warnings.push_back("hex map " + common.hexmap + ": not placed (its ONS code is not on the map): " + u);
        }
        import::write_import(result, common.out);
        std::cout << result.report.text();
        std::cout << "wrote " << common.out << "/card.json and " << common.out << "/declarations.jsonl\n";
        return 0;
    } catch (const import::ImportFailure& e) {
        std::cerr << name << ": " << e.error().what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << "\n";
        return 1;
    }
}

int leh_command(const Args& args) {
    const std::string name = "declared import leh";
    import::ImportOptions opt;
    Common common;
    std::vector<std::string> postponed;
    po::options_description desc(name);
    desc.add_options()
        ("help,h", "this help")
        ("candidates", po::value(&opt.candidates), "LEH candidate table (CSV); required")
        ("councils", po::value(&opt.councils), "CBP-9545 council table (CSV): sizes, composition, control")
        ("baseline", po::value(&opt.baseline), "LEAP results of the last time the seats were fought (CSV, no header)")
        ("roster", po::value(&opt.roster), "Open Council Data councillors (CSV): eve-of-poll composition")
        ("party-names", po::value(&opt.party_names), "LEH party names (CSV); default: party-names.csv beside the candidates")
        ("wards", po::value(&opt.wards), "LEH ward table (CSV: electorate, turnout); default: wards.csv beside the candidates")
        ("postponed", po::value(&postponed), "\"COUNCIL NAME:WARD NAME\" of a poll postponed tonight; repeatable")
        ("date", po::value(&opt.date), "polling day YYYY-MM-DD (default: first Thursday of May of the table's Year)");
    add_common(desc, opt, common);
    po::variables_map vm;
    if (auto stop = parse(name, desc, nullptr, args, vm)) return *stop;
    if (opt.candidates.empty() || common.out.empty()) {
        std::cerr << name << ": --candidates and --out are required\n" << desc;
        return 2;
    }
    if (!nation_ok(name, opt.nation)) return 2;
    for (const auto& p : postponed) {
        auto cw = import::parse_postponed(p);
        if (!cw) {
            std::cerr << name << ": --postponed expects \"COUNCIL NAME:WARD NAME\", got '" << p << "'\n";
            return 2;
        }
        opt.postponed.push_back(*cw);
    }
    return build_and_write(name, common, [&] { return import::run_import(opt); });
}

int leap_command(const Args& args) {
    const std::string name = "declared import leap";
    import::ImportOptions opt;
    opt.nation = "all";
    Common common;
    po::options_description desc(name + " FILE");
    desc.add_options()
        ("help,h", "this help")
        ("file", po::value(&opt.candidates), "LEAP per-year results (CSV, no header); required")
        ("date", po::value(&opt.date), "polling day YYYY-MM-DD (default: the date in the file name, leap-YYYY-MM-DD.csv)");
    add_common(desc, opt, common);
    po::positional_options_description pos;
    pos.add("file", 1);
    po::variables_map vm;
    if (auto stop = parse(name, desc, &pos, args, vm)) return *stop;
    if (opt.candidates.empty()) {
        std::cerr << name << ": the LEAP file is required\n" << desc;
        return 2;
    }
    if (!nation_ok(name, opt.nation)) return 2;
    // Default output: a directory named for the file ("leap-2018-05-03"), here.
    if (common.out.empty()) common.out = std::filesystem::path(opt.candidates).stem().string();
    return build_and_write(name, common, [&] { return import::run_leap_import(opt); });
}

}  // namespace

int import_command(const Args& args) {
    if (!args.empty() && args.front() == "leh") return leh_command(args);
    if (!args.empty() && args.front() == "leap") return leap_command(args);
    std::cerr << "usage: declared import leh --candidates FILE [options] --out DIR\n"
                 "       declared import leap FILE [--out DIR] [options]\n"
                 "(leh: the Commons Library Local Elections Handbook tables; leap: a Local Elections Archive Project year alone)\n";
    return 2;
}

}  // namespace declared
