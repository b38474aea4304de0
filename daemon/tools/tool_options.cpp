#include "daemon/tools/tool_options.hpp"

#include <iostream>

namespace declared {

namespace po = boost::program_options;

std::optional<int> read_options(std::string_view command, po::command_line_parser parser,
                                const po::options_description& shown, po::variables_map& vm) {
    try {
        po::store(parser.run(), vm);
        if (vm.count("help")) return std::cout << shown << '\n', 0;
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << command << ": " << e.what() << "\n\n" << shown << '\n';
        return 2;
    }
    return std::nullopt;
}

}  // namespace declared
