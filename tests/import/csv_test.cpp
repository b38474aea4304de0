#include <catch2/catch.hpp>

#include "daemon/tools/import/csv.hpp"
#include "daemon/tools/import/error.hpp"
#include "daemon/tools/import/text.hpp"

using namespace declared::import;

TEST_CASE("csv: quoted fields, embedded newlines and line numbers", "[import][csv]") {
    auto t = parse_csv("\xEF\xBB\xBF" "a,b\n\"x, y\",\"two\nlines\"\n3,\"say \"\"hi\"\"\"\n", "t.csv");
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0].fields == std::vector<std::string>{"a", "b"});
    CHECK(t.rows[1].fields == std::vector<std::string>{"x, y", "two\nlines"});
    CHECK(t.rows[1].line == 2);
    CHECK(t.rows[2].line == 4);
    CHECK(t.rows[2].fields[1] == "say \"hi\"");
}

TEST_CASE("csv: header found under title rows, by normalised name", "[import][csv]") {
    auto t = parse_csv("\"Results, 2022\",,\n,,\nWARD  name,votes,Local-Authority Name\nAbbey,10,Reading\n", "t.csv");
    auto h = Header::find(t, {{"council", {"Local authority name", "Council name"}}, {"ward", {"Ward name"}}, {"votes", {"Votes"}}});
    CHECK(h.row() == 2);
    CHECK(h.get(t.rows[3], "council") == "Reading");
    CHECK(h.get(t.rows[3], "ward") == "Abbey");
    CHECK(h.label("council") == "Local-Authority Name");
}

TEST_CASE("csv: a missing required column names the file, the header line and the column", "[import][csv]") {
    auto t = parse_csv("title\nWard name,Votes\nAbbey,1\n", "cands.csv");
    try {
        Header::find(t, {{"ward", {"Ward name"}}, {"votes", {"Votes"}}, {"elected", {"Elected", "Result"}}});
        FAIL("expected an error");
    } catch (const ImportFailure& e) {
        CHECK(e.error().file == "cands.csv");
        CHECK(e.error().line == 2);
        CHECK(e.error().what() ==
              "cands.csv:2: missing required column 'Elected' (accepted names: 'Elected', 'Result'); columns found: 'Ward name', 'Votes'");
    }
}

TEST_CASE("csv: group row picks between columns of the same name", "[import][csv]") {
    auto t = parse_csv(",Post May 2018,,Post May 2022,\nname,CON,Control,CON,Control\nX,1,CON,2,NOC\n", "g.csv");
    auto h = Header::find(t, {{"name", {"name"}}, {"a", {"CON"}, true, "2018", 0}, {"b", {"CON"}, true, "2022", 1},
                              {"c", {"Control"}, true, "2022", 1}});
    CHECK(h.get(t.rows[2], "a") == "1");
    CHECK(h.get(t.rows[2], "b") == "2");
    CHECK(h.get(t.rows[2], "c") == "NOC");
}

TEST_CASE("csv: unreadable file", "[import][csv]") {
    try {
        read_csv_file("/nonexistent/dir/x.csv");
        FAIL("expected an error");
    } catch (const ImportFailure& e) {
        CHECK(e.error().what() == "/nonexistent/dir/x.csv: cannot open file for reading");
    }
}

TEST_CASE("text: slugs, names, counts, flags", "[import][text]") {
    CHECK(slugify("Kingston upon Thames") == "kingston-upon-thames");
    CHECK(slugify("St. Helens") == "st-helens");
    CHECK(slugify("Radcliffe North & Ainsworth") == "radcliffe-north-and-ainsworth");
    CHECK(slugify("St George's") == "st-georges");
    CHECK(match_key("Newcastle-under-Lyme") == match_key("Newcastle under Lyme"));
    CHECK(council_key("Kingston upon Hull, City of") == council_key("Kingston upon Hull"));
    CHECK(candidate_name("Surname I.") == "Surname I.");
    CHECK(candidate_name("Surname, I.") == "Surname I.");
    CHECK(candidate_name("  O'Mara   K. ") == "O'Mara K.");
    CHECK(parse_count("1,234") == 1234);
    CHECK(parse_count(" 42 ") == 42);
    CHECK_FALSE(parse_count("12a").has_value());
    CHECK_FALSE(parse_count("-3").has_value());
    CHECK_FALSE(parse_count("").has_value());
    CHECK(parse_flag("1") == true);
    CHECK(parse_flag("Elected") == true);
    CHECK(parse_flag("0") == false);
    CHECK_FALSE(parse_flag("maybe").has_value());
}
