// CSV exports: GET /v1/export/results.csv and councils.csv, parsed back by a
// CSV reader (libcsv, the importer's) and compared with /v1/councils and each
// council's state; `declared replay --csv DIR` writes the same bytes offline.
#include "daemon/tools/import/csv.hpp"
#include "tests/feed/feed_fixture.hpp"

using namespace declared::testing;

namespace {

// Ward 0 of council 0 with names a naive writer would break: a comma, quotes.
std::string awkward_declaration() {
    auto d = decl(0, 0);
    const std::string from = "\"Red R.\"", to = R"("O'Neil, \"Red\" R.")";
    d.replace(d.find(from), from.size(), to);
    return d;
}

std::vector<std::string> night() {
    std::vector<std::string> out{awkward_declaration()};
    for (int w = 0; w < 4; ++w)
        for (int c = 0; c < 4; ++c)
            if (c || w) out.push_back(decl(c, w));
    out.push_back(decl(1, 1, 2, "LAB"));  // a correction: the export holds revision 2
    return out;
}

std::map<std::string, std::size_t> columns(const declared::import::CsvRow& header) {
    std::map<std::string, std::size_t> out;
    for (std::size_t i = 0; i < header.fields.size(); ++i) out[header.fields[i]] = i;
    return out;
}

std::string as_text(const boost::json::value& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return std::string(v.as_string());
    return boost::json::serialize(v);
}

}  // namespace

TEST_CASE("export: councils.csv parsed back says what /v1/councils and each council's composition say", "[export]") {
    Daemon d(multi_card(4, 5));
    REQUIRE(d.start());
    push(d, night());
    auto r = d.get("/v1/export/councils.csv");
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "text/csv; charset=utf-8; header=present");
    CHECK(r.header("content-disposition") == "attachment; filename=\"councils.csv\"");
    CHECK(r.body.find("\r\n") != std::string::npos);
    auto table = declared::import::parse_csv(r.body, "councils.csv");
    REQUIRE(table.rows.size() == 1 + 5);  // header, 4 councils and Settled
    auto col = columns(table.rows[0]);
    for (const char* c : {"council_id", "council", "ons", "region", "status", "control", "control_before", "outcome",
                          "wards_declared", "wards_total", "seats_declared", "seats_total", "LAB", "CON", "LD", "IND"})
        REQUIRE(col.count(c));
    const auto listed = parse_json(d.get("/v1/councils").body).as_object().at("councils").as_array();
    REQUIRE(listed.size() == 5);
    for (std::size_t i = 0; i < listed.size(); ++i) {
        const auto& want = listed[i].as_object();
        const auto& row = table.rows[i + 1].fields;
        INFO(as_text(want.at("id")));
        REQUIRE(row.size() == table.rows[0].fields.size());
        for (const char* k : {"status", "control", "control_before", "outcome", "wards_declared", "wards_total", "name",
                              "region"}) {
            const std::string column = std::string(k) == "name" ? "council" : k;
            CHECK(row[col.at(column)] == as_text(want.at(k)));
        }
        CHECK(row[col.at("council_id")] == as_text(want.at("id")));
        auto state = parse_json(d.get("/v1/councils/" + as_text(want.at("id"))).body).as_object();
        CHECK(row[col.at("seats_declared")] == as_text(state.at("seats_declared")));
        std::map<std::string, std::string> seats{{"LAB", "0"}, {"CON", "0"}, {"LD", "0"}, {"IND", "0"}};
        for (const auto& line : state.at("composition").as_array())
            seats[as_text(line.at("party"))] = as_text(line.at("seats"));
        for (const auto& [party, n] : seats) CHECK(row[col.at(party)] == n);
    }
}

TEST_CASE("export: results.csv has a row per candidate of every declared contest, as each council's state holds it", "[export]") {
    Daemon d(multi_card(4, 5));
    REQUIRE(d.start());
    push(d, night());
    auto r = d.get("/v1/export/results.csv");
    REQUIRE(r.status == 200);
    auto table = declared::import::parse_csv(r.body, "results.csv");
    auto col = columns(table.rows[0]);
    std::size_t next = 1, awkward = 0;
    for (int c = 0; c < 4; ++c) {
        auto state = parse_json(d.get("/v1/councils/" + council_id(c)).body).as_object();
        for (const auto& ward_v : state.at("wards").as_array()) {
            const auto& ward = ward_v.as_object();
            if (!ward.at("declared").as_bool()) continue;
            const auto& result = ward.at("result").as_object();
            for (const auto& cand_v : result.at("candidates").as_array()) {
                const auto& cand = cand_v.as_object();
                REQUIRE(next < table.rows.size());
                const auto& row = table.rows[next++].fields;
                INFO(as_text(ward.at("id")) << " " << as_text(cand.at("name")));
                CHECK(row[col.at("council_id")] == council_id(c));
                CHECK(row[col.at("council")] == fmt::format("Council {}", c));
                CHECK(row[col.at("council_ons")] == fmt::format("E99{:06d}", c));
                CHECK(row[col.at("region")] == region_of(c));
                CHECK(row[col.at("contest")] == "ward");
                CHECK(row[col.at("ward_id")] == as_text(ward.at("id")));
                CHECK(row[col.at("ward")] == as_text(ward.at("name")));
                CHECK(row[col.at("revision")] == as_text(result.at("revision")));
                CHECK(row[col.at("candidate")] == as_text(cand.at("name")));
                CHECK(row[col.at("party")] == as_text(cand.at("party")));
                CHECK(row[col.at("votes")] == as_text(cand.at("votes")));
                CHECK(row[col.at("elected")] == as_text(cand.at("elected")));
                const auto bp = cand.at("share_bp").to_number<std::int64_t>();
                CHECK(row[col.at("share")] == fmt::format("{}.{:02d}", bp / 100, bp % 100));
                CHECK(row[col.at("declared_at")] == fmt::format("2022-05-06T02:{:02d}:00Z", (c + std::stoi(as_text(ward.at("id")).substr(12, 3))) % 60));
                if (row[col.at("candidate")] == "O'Neil, \"Red\" R.") ++awkward;
            }
        }
    }
    CHECK(next == table.rows.size());
    CHECK(awkward == 1);
    CHECK(r.body.find("\"O'Neil, \"\"Red\"\" R.\"") != std::string::npos);  // RFC 4180: quotes doubled inside quotes
    const auto party_name = col.at("party_name");
    CHECK(table.rows[1].fields[party_name] == (table.rows[1].fields[col.at("party")] == "LAB" ? "Labour" : "Conservative"));
}

TEST_CASE("export: declared replay --csv DIR writes the same two files, byte for byte, as the daemon serves for the same night", "[export]") {
    Daemon d(multi_card(4, 5));
    REQUIRE(d.start());
    const auto decls = night();
    push(d, decls);
    write_whole_file(d.dir / "declarations.jsonl", join_lines(decls));
    auto run = run_command(kDeclaredBinary,
                           {"replay", "--card", d.card_path, "--declarations", d.dir / "declarations.jsonl", "--csv",
                            d.dir / "out"},
                           d.dir.path());
    INFO(run.err);
    REQUIRE(run.status.code == 0);
    CHECK(run.err.find("wrote " + (d.dir / "out") + "/results.csv and") != std::string::npos);
    CHECK(read_whole_file(d.dir / "out/results.csv") == d.get("/v1/export/results.csv").body);
    CHECK(read_whole_file(d.dir / "out/councils.csv") == d.get("/v1/export/councils.csv").body);
}

TEST_CASE("export: bad --csv and unknown exports are refused with what, where and why, and write nothing", "[export]") {
    Daemon d(multi_card(1, 2));
    REQUIRE(d.start());
    auto r = d.get("/v1/export/wards.xlsx");
    CHECK(r.status == 404);
    CHECK(jstr(r.body, "error.message") ==
          "no export 'wards.xlsx'; there are /v1/export/results.csv and /v1/export/councils.csv");
    CHECK(request(d.port(), "POST", "/v1/export/results.csv", {}, "x").status == 405);

    write_whole_file(d.dir / "declarations.jsonl", decl(0, 0) + "\n");
    write_whole_file(d.dir / "a-file", "not a directory");
    auto base = std::vector<std::string>{"replay", "--card", d.card_path, "--declarations", d.dir / "declarations.jsonl"};
    auto with = [&](std::vector<std::string> more) {
        auto a = base;
        a.insert(a.end(), more.begin(), more.end());
        return run_command(kDeclaredBinary, a, d.dir.path());
    };
    auto into_file = with({"--csv", d.dir / "a-file"});
    CHECK(into_file.status.code == 1);
    CHECK(into_file.err.find("--csv: expected a directory that can be created or written, got '" + (d.dir / "a-file")) !=
          std::string::npos);
    CHECK(read_whole_file(d.dir / "a-file") == "not a directory");
    auto empty = with({"--csv", ""});
    CHECK(empty.status.code == 2);
    CHECK(empty.err.find("--csv: expected a directory, got nothing") != std::string::npos);
    auto both = with({"--csv", d.dir / "x", "--to", "http://127.0.0.1:1"});
    CHECK(both.status.code == 2);
    CHECK(file_size_or_minus1(d.dir / "x") == -1);
}
