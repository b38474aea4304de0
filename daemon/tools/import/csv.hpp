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

// What a column's values must look like, beside its name: an ONS code column
// is found by its values wherever it sits and whatever it is called, and a
// column of that name holding something else (a numeric authority code) is
// passed over for one that holds the codes.
enum class Content {
    any,
    ons_council,  // E06000038, W06000015, S12000033... (not a ward's)
    ons_ward,     // E05013864, W05000001, S13002516...
};

// True when most non-empty values look like codes of that kind.
bool looks_like(Content kind, std::string_view value);

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

    Content content = Content::any;

    ColumnSpec(std::string k, std::vector<std::string> n, bool req = true, std::string g = {}, int occ = 0)
        : key(std::move(k)), names(std::move(n)), required(req), group(std::move(g)), occurrence(occ) {}
    ColumnSpec(std::string k, std::vector<std::string> n, Content c)
        : key(std::move(k)), names(std::move(n)), required(false), content(c) {}
};

class Header {
public:
    // Scans the first `scan` rows for the one holding every required column
    // (title rows above the header are skipped). Throws ImportFailure naming
    // the file, the column sought, the names accepted and the columns that
    // were found when no row qualifies.
    static Header find(const CsvTable& table, const std::vector<ColumnSpec>& specs, std::size_t scan = 25);
    // Every table of a file that holds several (an export of one sheet per
    // nation or type, each under its own title and header): the first as
    // find(), then each later row holding every required column starts the
    // next. A later row that names most required columns but not all is a
    // header missing one: an error naming that table.
    static std::vector<Header> find_all(const CsvTable& table, const std::vector<ColumnSpec>& specs, std::size_t scan = 25);

    std::size_t row() const { return row_; }  // index into table.rows of the header
    std::size_t end() const { return end_; }  // one past this table's last row (find_all), else the table's end
    // Whether a row under the header is data: not blank and not a title or
    // note (a single filled cell).
    static bool data(const CsvRow& r);
    // "columns found: 'A', 'B', ..." of the header row, for errors.
    std::string found() const;
    bool has(const std::string& key) const { return cols_.count(key) > 0; }
    // The field of `key` in `r` (empty when the column is absent or the row short).
    std::string_view get(const CsvRow& r, const std::string& key) const;
    // The header text of `key`, for errors.
    const std::string& label(const std::string& key) const;

private:
    // The header of row r when it holds every required column; otherwise the
    // first missing column's message in `missing` and how many required ones were found.
    static std::optional<Header> at_row(const CsvTable& table, const std::vector<ColumnSpec>& specs, std::size_t r,
                                        std::string& missing, std::size_t& found);
    void settle_content(const CsvTable& table, const std::vector<ColumnSpec>& specs);

    std::size_t row_ = 0, end_ = 0;
    std::vector<std::string> header_;
    std::map<std::string, std::size_t> cols_;
    std::map<std::string, std::string> labels_;
};

}  // namespace declared::import
