#pragma once
// CSV tables (parsed by libcsv) and finding columns by header name.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace declared::import {

struct CsvRow {
    std::size_t line = 0;  // 1-based line where the row starts
    std::vector<std::string> fields;
    bool blank() const;    // every field empty or whitespace
};

struct CsvTable {
    std::string file;  // name used in errors
    std::vector<CsvRow> rows;
};

// Parses CSV text (RFC 4180 quoting; a UTF-8 byte order mark is dropped).
// Throws ImportFailure naming `file` and the line on malformed input.
CsvTable parse_csv(std::string_view text, std::string file);
// Reads and parses a file; throws ImportFailure when it cannot be read.
CsvTable read_csv_file(const std::string& path);

// Header names compared without case, spaces or punctuation:
// "Local authority name" == "local-authority  NAME" == "localauthorityname".
std::string normalise_header(std::string_view s);

// One logical column the importer needs, with the names it goes by.
struct ColumnSpec {
    std::string key;                 // the importer's name for it
    std::vector<std::string> names;  // accepted header names, preferred first
    bool required = true;
    // Tables with a group row above the header (CBP-9545: "Post May 2018
    // composition" over CON, LAB...): the column must sit under a group label
    // containing this text. Without a group row, `occurrence` picks the n-th
    // column of that name instead.
    std::string group;
    int occurrence = 0;

    ColumnSpec(std::string k, std::vector<std::string> n, bool req = true, std::string g = {}, int occ = 0)
        : key(std::move(k)), names(std::move(n)), required(req), group(std::move(g)), occurrence(occ) {}
};

class Header {
public:
    // Scans the first `scan` rows for the one holding every required column
    // (title rows above the header are skipped). Throws ImportFailure naming
    // the missing column and the accepted names when no row qualifies.
    static Header find(const CsvTable& table, const std::vector<ColumnSpec>& specs, std::size_t scan = 25);

    std::size_t row() const { return row_; }  // index into table.rows of the header
    bool has(const std::string& key) const { return cols_.count(key) > 0; }
    // The field of `key` in `r` (empty when the column is absent or the row short).
    std::string_view get(const CsvRow& r, const std::string& key) const;
    // The header text of `key`, for errors.
    const std::string& label(const std::string& key) const;

private:
    std::size_t row_ = 0;
    std::map<std::string, std::size_t> cols_;
    std::map<std::string, std::string> labels_;
};

}  // namespace declared::import
