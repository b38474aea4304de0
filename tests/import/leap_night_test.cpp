// `declared import leap FILE`: a whole night from a LEAP year alone. Its
// replay must give the file's own elected counts by party, counted here from
// the CSV independently of the importer, and its card must pass card check.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <unistd.h>

#include "daemon/commands.hpp"
#include "daemon/tools/import/leap_night.hpp"
#include "model/card_check.hpp"
#include "model/card_json.hpp"
#include "tests/import/replay_summary.hpp"

using namespace declared;
using namespace declared::import;

namespace {

// The fields of one line of LEAP's CSV: every field quoted or NULL, no quote inside.
std::vector<std::string> leap_fields(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (char ch : line) {
        if (ch == '"') quoted = !quoted;
        else if (ch == ',' && !quoted) out.push_back(std::move(cur)), cur.clear();
        else if (ch != '\r') cur += ch;
    }
    out.push_back(cur);
    return out;
}

// Elected candidates by LEAP party code, straight from the file.
std::map<std::string, std::int64_t> elected_by_leap_code(const std::string& path) {
    std::map<std::string, std::int64_t> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        const auto f = leap_fields(line);
        if (f.size() >= 8 && f[4] != "NULL" && f[7] == "1") ++out[f[5]];
    }
    return out;
}

// The card's code of a LEAP party: its code, or the party that has it as an alias.
std::string card_code(const Card& card, const std::string& leap) {
    for (const auto& p : card.parties) {
        if (p.code == leap) return p.code;
        for (const auto& a : p.aliases)
            if (a == leap) return p.code;
    }
    return {};
}

}  // namespace

TEST_CASE("leap night: the 2018 file alone replays to its own elected counts", "[import][leap][real]") {
    const std::string path = std::string(DECLARED_SHARED_DATA) + "/leap-2018/leap-2018-05-03.csv";
    if (!std::filesystem::exists(path)) {
        std::cout << "SKIPPED: " << DECLARED_SHARED_DATA << " not present\n";
        return;
    }
    ImportOptions opt;
    opt.candidates = path;
    opt.nation = "all";
    const ImportResult r = run_leap_import(opt);
    INFO(r.report.text());
    CHECK(r.card.election.date == "2018-05-03");
    for (const auto& c : r.card.councils) CHECK(c.size == 0);  // LEAP has no council sizes: unknown

    const auto want = elected_by_leap_code(path);
    std::int64_t total = 0;
    for (auto& [p, n] : want) total += n;
    CHECK(total == 4418);
    const auto summary = testing::replay_summary(r);
    std::map<std::string, std::int64_t> want_by_card_code;
    for (auto& [leap, n] : want) {
        const std::string code = card_code(r.card, leap);
        INFO("LEAP code " << leap);
        REQUIRE_FALSE(code.empty());
        want_by_card_code[code] += n;
    }
    CHECK(want_by_card_code.at("CON") == 1335);
    CHECK(want_by_card_code.at("LAB") == 2357);
    for (auto& [code, n] : want_by_card_code) {
        INFO(code);
        CHECK(testing::summary_count(summary, "councillors", code) == n);
    }
    // Votes are reported; control is not (no sizes).
    CHECK(summary.at("votes").at("by_party").as_object().at("LAB").at("votes").as_int64() > 0);

    Card card = r.card;
    const CardReport check = check_card(card);
    for (const auto& e : check.errors) UNSCOPED_INFO(e.message());
    CHECK(check.ok());
}

TEST_CASE("leap night: the command writes the night, named for the file by default", "[import][leap]") {
    const auto dir = std::filesystem::temp_directory_path() / ("declared-leap-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "leap-2019-05-02.csv";
    std::ofstream(file) << "\"Adur\",\"E07000223\",\"Buckingham\",\"E05007562\",\"Emma Evans\",\"C\",\"634\",\"1\"\n"
                           "\"Adur\",\"E07000223\",\"Buckingham\",\"E05007562\",\"Carol O'Neal\",\"Lab\",\"315\",\"0\"\n"
                           "\"Adur\",\"E07000223\",\"Elected Mayor\",NULL,NULL,NULL,NULL,NULL\n";
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    const int rc = import_command({"leap", file.string()});
    std::filesystem::current_path(cwd);
    REQUIRE(rc == 0);
    std::ifstream card_in(dir / "leap-2019-05-02" / "card.json");
    const std::string text((std::istreambuf_iterator<char>(card_in)), {});
    auto card = parse_card(text);
    REQUIRE(card.ok());
    CHECK(card.value->election.date == "2019-05-02");
    REQUIRE(card.value->councils.size() == 1);
    CHECK(card.value->councils[0].size == 0);
    CHECK(card.value->councils[0].wards.size() == 1);
    CHECK(card.value->councils[0].wards[0].seats == 1);

    // No date in the name and none given: an error, nothing written.
    const auto undated = dir / "results.csv";
    std::filesystem::copy_file(file, undated);
    CHECK(import_command({"leap", undated.string(), "--out", (dir / "x").string()}) == 1);
    CHECK_FALSE(std::filesystem::exists(dir / "x" / "card.json"));
    CHECK(import_command({"leap", undated.string(), "--date", "2019-05-02", "--out", (dir / "x").string()}) == 0);
    CHECK(import_command({"leap"}) == 2);
    std::filesystem::remove_all(dir);
}

TEST_CASE("leap night: polling day from the file's name, or none", "[import][leap]") {
    using declared::import::date_from_leap_name;
    CHECK(date_from_leap_name("leap-2018-05-03.csv") == "2018-05-03");
    CHECK(date_from_leap_name("/data/2019-05/leap-2019-05-02.csv") == "2019-05-02");  // the name, not the folder
    CHECK(date_from_leap_name("2006-05-04") == "2006-05-04");
    CHECK(date_from_leap_name("leap-2018-5-3.csv").empty());
    CHECK(date_from_leap_name("leap.csv").empty());
    CHECK(date_from_leap_name("").empty());
}
