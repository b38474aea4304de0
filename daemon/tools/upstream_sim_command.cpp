// declared upstream-sim: options for the simulated upstream feed
// (daemon/tools/upstream_sim.hpp). A desk rehearses against it with
// `declared serve --upstream.url http://ADDR:PORT/`.
#include <iostream>
#include <random>

#include <boost/program_options.hpp>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "daemon/serve/config.hpp"
#include "daemon/tools/push_replay.hpp"
#include "daemon/tools/upstream_sim.hpp"

namespace po = boost::program_options;

namespace declared {

int upstream_sim_command(const Args& args) {
    po::options_description opts(
        "declared upstream-sim --night DIR [--listen ADDR:PORT] [--speed X] [--faults SPEC [--seed N]] [--report FILE]");
    std::string listen = "127.0.0.1:8090", speed = "max", faults;
    long poller_timeout_ms = 10'000;
    SimOptions sim;
    opts.add_options()
        ("help,h", "show this help")
        ("night", po::value(&sim.night_dir)->required(), "directory with card.json and declarations.jsonl (from generate or import)")
        ("listen", po::value(&listen), "ADDR:PORT to serve the feed on (port 0: any free port; the address is printed)")
        ("speed", po::value(&speed), "night seconds per second (600: ten minutes a second), or max: everything at once")
        ("faults", po::value(&faults), ("'all' or kind=rate,... (rate: share of answers). Kinds:\n" +
                                        describe_fault_kinds(sim_fault_kinds())).c_str())
        ("seed", po::value<std::uint64_t>(), "with --faults: seed for when faults strike (default: a random one, reported)")
        ("poller-timeout-ms", po::value(&poller_timeout_ms), "the daemon's upstream.timeout_ms: a timeout fault stays silent longer")
        ("report", po::value(&sim.report_path), "also write the report to this file as JSON")
        ("stay", po::bool_switch(&sim.stay), "keep serving after the night is over, until SIGTERM");
    po::variables_map vm;
    if (auto exit = read_options("declared upstream-sim", po::command_line_parser(args).options(opts), opts, vm))
        return *exit;
    if (auto e = parse_listen(listen, sim.address, sim.port)) return std::cerr << "declared upstream-sim: " << e->message() << '\n', 2;
    if (!parse_speed(speed, sim.speed)) return std::cerr << "declared upstream-sim: --speed: expected a number above 0 or max\n", 2;
    if (poller_timeout_ms < 100)
        return std::cerr << "declared upstream-sim: --poller-timeout-ms: expected at least 100, got " << poller_timeout_ms << '\n', 2;
    sim.poller_timeout = std::chrono::milliseconds(poller_timeout_ms);
    if (vm.count("seed") && faults.empty()) return std::cerr << "declared upstream-sim: --seed needs --faults SPEC\n", 2;
    if (!faults.empty()) {
        auto rates = parse_fault_spec(faults, sim_fault_kinds());
        if (!rates.ok()) return std::cerr << "declared upstream-sim: " << rates.error.message() << '\n', 2;
        sim.faults = std::move(*rates.value);
        sim.seed = vm.count("seed") ? vm["seed"].as<std::uint64_t>() : std::random_device{}();
        std::cerr << "upstream-sim: faults with seed " << sim.seed << "\n";
    }
    return run_upstream_sim(sim);
}

}  // namespace declared
