// declared import leh --candidates FILE [--councils FILE] [--baseline FILE]
//   [--roster FILE] [--party-names FILE] [--wards FILE] [--postponed "COUNCIL:WARD"]...
//   [--hexmap FILE] [--seed N] [--date YYYY-MM-DD] [--nation england|wales|scotland|all] --out DIR
#include <boost/program_options.hpp>

#include <iostream>

#include "daemon/commands.hpp"
#include "daemon/tools/import/hexmap.hpp"
#include "daemon/tools/import/importer.hpp"
#include "ingest/read_file.hpp"

namespace declared {

namespace po = boost::program_options;

int import_command(const Args& args) {
    if (args.empty() || args.front() != "leh") {
        std::cerr << "usage: declared import leh --candidates FILE [options] --out DIR\n"
                     "(the only source format so far is the Commons Library Local Elections Handbook: 'leh')\n";
        return 2;
    }
    import::ImportOptions opt;
    std::string out;
    std::vector<std::string> postponed;
    std::string hexmap;
    po::options_description desc("declared import leh");
    desc.add_options()
        ("help,h", "this help")
        ("candidates", po::value(&opt.candidates), "LEH candidate table (CSV); required")
        ("councils", po::value(&opt.councils), "CBP-9545 council table (CSV): sizes, composition, control")
        ("baseline", po::value(&opt.baseline), "LEAP results of the last time the seats were fought (CSV, no header)")
        ("roster", po::value(&opt.roster), "Open Council Data councillors (CSV): eve-of-poll composition")
        ("party-names", po::value(&opt.party_names), "LEH party names (CSV); default: party-names.csv beside the candidates")
        ("wards", po::value(&opt.wards), "LEH ward table (CSV: electorate, turnout); default: wards.csv beside the candidates")
        ("postponed", po::value(&postponed), "\"COUNCIL NAME:WARD NAME\" of a poll postponed tonight; repeatable")
        ("hexmap", po::value(&hexmap), "HexJSON map (odd-r, keyed by ONS code): places each council on the page's map")
        ("seed", po::value(&opt.seed), "seed of the synthesised declaration times")
        ("date", po::value(&opt.date), "polling day YYYY-MM-DD (default: first Thursday of May of the table's Year)")
        ("nation", po::value(&opt.nation), "england (default), wales, scotland or all, by the councils' ONS codes")
        ("out", po::value(&out), "output directory for card.json and declarations.jsonl; required");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end())).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "declared import leh: " << e.what() << "\n" << desc;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    if (opt.candidates.empty() || out.empty()) {
        std::cerr << "declared import leh: --candidates and --out are required\n" << desc;
        return 2;
    }
    if (opt.nation != "england" && opt.nation != "wales" && opt.nation != "scotland" && opt.nation != "all") {
        std::cerr << "declared import leh: --nation must be england, wales, scotland or all\n";
        return 2;
    }
    for (const auto& p : postponed) {
        auto cw = import::parse_postponed(p);
        if (!cw) {
            std::cerr << "declared import leh: --postponed expects \"COUNCIL NAME:WARD NAME\", got '" << p << "'\n";
            return 2;
        }
        opt.postponed.push_back(*cw);
    }
    try {
        std::string hexjson;
        if (!hexmap.empty()) {  // read before importing: a missing file fails fast
            auto text = read_file(hexmap);
            if (!text.ok()) return std::cerr << "declared import leh: --hexmap: " << text.error.message() << "\n", 1;
            hexjson = std::move(*text.value);
        }
        auto result = import::run_import(opt);
        if (!hexmap.empty()) {
            auto placed = import::place_on_hexmap(result.card, hexjson, hexmap);
            result.report.notes.push_back("hex map " + hexmap + ": placed " + std::to_string(placed.placed) + " of " +
                                          std::to_string(result.card.councils.size()) + " councils by ONS code");
            for (const auto& u : placed.unplaced)
                result.report.warnings.push_back("hex map " + hexmap + ": not placed (its ONS code is not on the map): " + u);
        }
        import::write_import(result, out);
        std::cout << result.report.text();
        std::cout << "wrote " << out << "/card.json and " << out << "/declarations.jsonl\n";
        return 0;
    } catch (const import::ImportFailure& e) {
        std::cerr << "declared import leh: " << e.error().what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "declared import leh: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace declared
