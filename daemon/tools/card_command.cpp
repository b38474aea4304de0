// declared card check CARD: lint an election card before the night. Prints
// every problem with its path, errors and warnings apart, and exits 1 when
// there are errors (serve refuses such a card).
#include <iostream>
#include <string>

#include "daemon/commands.hpp"
#include "ingest/read_file.hpp"
#include "model/card_json.hpp"

namespace declared {

namespace {

constexpr const char* kUsage =
    "usage: declared card check CARD\n\n"
    "Reports every problem in the election card CARD (a card.json), each with its path:\n"
    "errors (the card does not serve) and warnings (it serves, e.g. control before unknown).\n"
    "Exit status: 0 no errors, 1 errors, 2 usage or unreadable file.\n";

}  // namespace

int card_command(const Args& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) return std::cout << kUsage, 0;
    if (args.size() != 2 || args[0] != "check") return std::cerr << kUsage, 2;
    const std::string& path = args[1];
    auto text = read_file(path);
    if (!text.ok()) return std::cerr << "declared card: " << text.error.message() << '\n', 2;
    const CardLoad load = load_card(*text.value);
    for (const auto& e : load.report.errors) std::cout << "error: " << e.message() << " [" << e.code << "]\n";
    for (const auto& w : load.report.warnings) std::cout << "warning: " << w.message() << " [" << w.code << "]\n";
    std::cout << path << ": " << load.report.errors.size() << " error(s), " << load.report.warnings.size()
              << " warning(s)\n";
    return load.report.ok() ? 0 : 1;
}

}  // namespace declared
