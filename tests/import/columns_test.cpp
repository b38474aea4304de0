// Any year's Commons Library tables: columns found by meaning, whatever their
// names, order, spacing or case, under title rows, with the ONS codes in any
// column (beside a numeric authority code), in one table or several. Each
// variant must import, without flags, to the very same card and declarations.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>

#include "daemon/tools/import/importer.hpp"
#include "model/card_json.hpp"
#include "model/declaration_json.hpp"

using namespace declared;
using namespace declared::import;

namespace {

// The night as bytes: what `import` writes.
std::string night_bytes(const ImportResult& r) {
    std::string out = card_to_json(r.card) + "\n";
    for (const auto& d : r.declarations) out += declaration_to_json(d) + "\n";
    return out;
}

ImportResult import_text(const std::string& text, const std::string& name) {
    ImportInputs in;
    in.candidates = parse_csv(text, name);
    return build_import(in, ImportOptions{});
}

// One way of writing the table: a header and rows over the same facts.
struct Candidate {
    const char *council_ons, *council, *ward_ons, *ward, *seats, *name, *votes, *elected, *party;
};
const Candidate kRows[] = {
    {"E08000024", "Sunderland", "E05001160", "Barnes", "1", "Mullen A.", "1637", "1", "CON"},
    {"E08000024", "Sunderland", "E05001160", "Barnes", "1", "Haque A.", "1329", "0", "LAB"},
    {"E08000024", "Sunderland", "E05001161", "Castle", "1", "Chisnall A.", "1308", "1", "LAB"},
    {"E08000024", "Sunderland", "E05001161", "Castle", "1", "Ogle A.", "223", "0", "GREEN"},
    {"E07000223", "Adur", "E05007562", "Buckingham", "2", "Evans E.", "634", "1", "CON"},
    {"E07000223", "Adur", "E05007562", "Buckingham", "2", "Mott J.", "600", "1", "CON"},
    {"E07000223", "Adur", "E05007562", "Buckingham", "2", "O'Neal C.", "315", "0", "LAB"},
    {"W06000015", "Cardiff", "W05000866", "Adamsdown", "1", "Jones B.", "900", "1", "LAB"},
    {"W06000015", "Cardiff", "W05000866", "Adamsdown", "1", "Rees P.", "400", "0", "PC"},
};

std::string row_2022(const Candidate& c, int authority_number) {
    return std::string("2022,") + c.council_ons + "," + c.council + "," + c.ward_ons + "," + c.ward + "," + c.seats + "," + c.name +
           "," + c.votes + "," + c.elected + "," + c.party + "," + std::to_string(authority_number) + "\n";
}

// The 2022 layout: a title row, then the Handbook's names.
std::string table_2022() {
    std::string t = ",,\"Local election results by candidate, 2022\",,,,,,,,\n"
                    "Year,Local authority code,Local authority name,Ward code,Ward name,Vacancies,Candidate name,Votes,Elected,Party name,LA number\n";
    int n = 0;
    for (const auto& c : kRows) t += row_2022(c, ++n);
    return t;
}

// Another year: other names, another order, spacing and case; the numeric
// authority code first under the name the Handbook uses for the ONS code, and
// the ONS codes under a name no list holds.
std::string table_other_year() {
    std::string t = "Local elections 2022: results\n\nNotes: provisional\n"
                    "  LOCAL AUTHORITY CODE , Party  Abbreviation,ELECTED,votes cast,Candidate,Seats,Division name,Ward GSS code,"
                    "Council,Year,Area identifier\n";
    int n = 0;
    for (const auto& c : kRows)
        t += std::to_string(++n) + "," + c.party + "," + c.elected + "," + c.votes + "," + c.name + "," + c.seats + "," + c.ward + "," +
             c.ward_ons + "," + c.council + ",2022," + c.council_ons + "\n";
    return t;
}

// One table per nation, each under its own title and header (in another order).
std::string tables_by_nation() {
    std::string t = "\"Local election results by candidate, 2022: England\",,,,,,,,,,\n"
                    "Year,Local authority code,Local authority name,Ward code,Ward name,Vacancies,Candidate name,Votes,Elected,Party name,LA number\n";
    int n = 0;
    for (const auto& c : kRows)
        if (c.council_ons[0] == 'E') t += row_2022(c, ++n);
    t += ",,,,,,,,,,\n\"Local election results by candidate, 2022: Wales\",,,,,,,,,,\n"
         "Party name,Elected,Votes,Candidate name,Vacancies,Ward name,Ward code,Local authority name,Local authority code,Year\n";
    for (const auto& c : kRows)
        if (c.council_ons[0] == 'W')
            t += std::string(c.party) + "," + c.elected + "," + c.votes + "," + c.name + "," + c.seats + "," + c.ward + "," + c.ward_ons + "," +
                 c.council + "," + c.council_ons + ",2022\n";
    return t;
}

}  // namespace

TEST_CASE("columns: any year's layout imports without flags to the same night", "[import][columns]") {
    const ImportResult base = import_text(table_2022(), "2022.csv");
    REQUIRE(base.card.councils.size() == 2);  // England by default: Cardiff is Wales
    CHECK(base.report.notes.front().find("skipped 1 councils") != std::string::npos);
    CHECK(base.card.councils[0].ons == "E07000223");
    CHECK(base.card.councils[0].wards[0].ons == "E05007562");
    const std::string want = night_bytes(base);

    const ImportResult other = import_text(table_other_year(), "other.csv");
    CHECK(other.card.councils[0].ons == "E07000223");  // from the column that holds ONS codes, not the numeric one
    CHECK(night_bytes(other) == want);

    const ImportResult split = import_text(tables_by_nation(), "split.csv");
    CHECK(night_bytes(split) == want);

    ImportOptions wales;
    wales.nation = "wales";
    ImportInputs in;
    in.candidates = parse_csv(table_other_year(), "other.csv");
    const ImportResult w = build_import(in, wales);
    REQUIRE(w.card.councils.size() == 1);
    CHECK(w.card.councils[0].name == "Cardiff");
}

TEST_CASE("columns: a missing column names the file, the column sought and the columns found", "[import][columns]") {
    const std::string text = "Title\nCouncil,Ward name,Seats,Candidate name,Party,Elected\nReading,Abbey,1,A B.,LAB,1\n";
    CHECK_THROWS_WITH(import_text(text, "novotes.csv"),
                      Catch::Contains("novotes.csv:2") && Catch::Contains("missing required column 'Votes'") &&
                          Catch::Contains("columns found: 'Council', 'Ward name', 'Seats', 'Candidate name', 'Party', 'Elected'"));
    // A second table whose header lacks a column is named as that table.
    std::string two = table_2022() + "\nWales\nYear,Local authority code,Local authority name,Ward code,Ward name,Vacancies,Candidate name,Elected,Party name\n"
                                     "2022,W06000015,Cardiff,W05000866,Adamsdown,1,Jones B.,1,LAB\n";
    CHECK_THROWS_WITH(import_text(two, "two.csv"), Catch::Contains("table 2 (header on line 14)") &&
                                                       Catch::Contains("missing required column 'Votes'") &&
                                                       Catch::Contains("columns found: 'Year', 'Local authority code'"));
}

TEST_CASE("columns: ONS codes are told from other codes by their form", "[import][columns]") {
    CHECK(looks_like(Content::ons_council, "E06000038"));
    CHECK(looks_like(Content::ons_council, "W06000015"));
    CHECK(looks_like(Content::ons_council, "S12000033"));
    CHECK_FALSE(looks_like(Content::ons_council, "E05013864"));  // a ward's
    CHECK(looks_like(Content::ons_ward, "E05013864"));
    CHECK_FALSE(looks_like(Content::ons_council, "123"));
    CHECK_FALSE(looks_like(Content::ons_council, "NA"));
}

TEST_CASE("columns: the real 2022 candidate table, rewritten in another year's layout, imports to the same night", "[import][columns][real]") {
    const std::string path = std::string(DECLARED_SHARED_DATA) + "/leh-2022/candidates.csv";
    if (!std::filesystem::exists(path)) {
        std::cout << "SKIPPED: " << DECLARED_SHARED_DATA << " not present\n";
        return;
    }
    const CsvTable real = read_csv_file(path);
    ImportInputs in;
    in.candidates = real;
    const std::string want = night_bytes(build_import(in, ImportOptions{}));
    // Columns reversed, headers upper-cased with doubled spaces, a numeric
    // code under "Local authority code" and the ONS one renamed, two title rows.
    const auto& header = real.rows[1].fields;
    std::string text = "LOCAL ELECTIONS\n\n";
    auto quote = [](std::string f) {
        for (std::size_t q = f.find('"'); q != std::string::npos; q = f.find('"', q + 2)) f.insert(q, 1, '"');
        return "\"" + f + "\"";
    };
    for (std::size_t r = 1; r < real.rows.size(); ++r) {
        const auto& f = real.rows[r].fields;
        std::string line = r == 1 ? "Local authority code" : std::to_string(r);
        for (std::size_t i = header.size(); i-- > 0;) {
            std::string v = i < f.size() ? f[i] : "";
            if (r == 1) {
                v = header[i] == "Local authority code" ? "Area ONS" : header[i];
                for (auto& ch : v) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                for (std::size_t s = v.find(' '); s != std::string::npos; s = v.find(' ', s + 2)) v.insert(s, " ");
            }
            line += "," + quote(v);
        }
        text += line + "\n";
    }
    in.candidates = parse_csv(text, "rewritten.csv");
    const std::string got = night_bytes(build_import(in, ImportOptions{}));
    std::size_t at = 0;
    while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
    INFO("first difference at byte " << at << ": got '" << got.substr(at > 80 ? at - 80 : 0, 160) << "' want '"
                                     << want.substr(at > 80 ? at - 80 : 0, 160) << "'");
    CHECK(got == want);
}

TEST_CASE("columns: the council table's ONS codes are found by their form too", "[import][columns]") {
    auto with_cbp = [](const std::string& head, const std::string& row) {
        ImportInputs in;
        in.candidates = parse_csv(table_2022(), "2022.csv");
        in.councils = parse_csv(",,,,,,,Post May 2018 composition,,,,,,,Post May 2022 composition,,,,,,,,\n" + head + row, "cbp.csv");
        return build_import(in, ImportOptions{});
    };
    const std::string cols = "seats,region,CON,LAB,LD,GRN,OTH,Total,Control,CON,LAB,LD,GRN,OTH,Vacant,Total,Control\n";
    const std::string facts = "Thirds,North East,1,4,0,0,1,6,LAB,2,3,0,0,1,,6,LAB\n";
    // 2022's layout, and one with a numeric code under "ons code" and the ONS codes under "Area".
    const auto a = with_cbp("ons code,council name,Boundary change Yes/No,New Council Yes/No,council type," + cols,
                            "E08000024,Sunderland,No,No,Metropolitan," + facts);
    const auto b = with_cbp("ons code,council name,Boundary change Yes/No,New Council Yes/No,Area," + cols,
                            "17,Sunderland,No,No,E08000024," + facts);
    CHECK(night_bytes(a) == night_bytes(b));
    bool sized = false;
    for (const auto& c : b.card.councils)
        if (c.name == "Sunderland") sized = c.size == 6;
    CHECK(sized);
    for (const auto& n : b.report.notes) CHECK(n.find("joined by name") == std::string::npos);  // joined by its code
}
