#pragma once
// Where the real 2022 night's tables are (../shared/data) and the import
// options that build it, for every test that replays it.
#include <filesystem>
#include <string>

#include "daemon/tools/import/importer.hpp"

namespace declared::test {

inline std::string shared_data(const std::string& rel) { return std::string(DECLARED_SHARED_DATA) + "/" + rel; }

inline bool have_2022_data() { return std::filesystem::exists(shared_data("leh-2022/candidates.csv")); }

inline import::ImportOptions options_2022() {
    import::ImportOptions opt;
    opt.candidates = shared_data("leh-2022/candidates.csv");
    opt.councils = shared_data("cbp9545-2022/councils-england.csv");
    opt.baseline = shared_data("leap-2018/leap-2018-05-03.csv");
    opt.roster = shared_data("opencouncildata/councillors-2021.csv");
    opt.postponed = {{"Kingston upon Thames", "New Malden Village"}, {"Redbridge", "Mayfield"}};
    return opt;
}

}  // namespace declared::test
