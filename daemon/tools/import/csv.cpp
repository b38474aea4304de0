#include "daemon/tools/import/csv.hpp"

#include <csv.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "daemon/tools/import/error.hpp"

namespace declared::import {

bool CsvRow::blank() const {
    return std::all_of(fields.begin(), fields.end(), [](const std::string& f) {
        return std::all_of(f.begin(), f.end(), [](unsigned char c) { return std::isspace(c) != 0; });
    });
}

namespace {

struct Builder {
    CsvTable* table = nullptr;
    std::size_t line = 1;        // line being fed
    std::size_t row_start = 0;   // line where the current row began (0: none yet)
    std::vector<std::string> fields;

    static void on_field(void* data, std::size_t len, void* self) {
        auto* b = static_cast<Builder*>(self);
        if (b->row_start == 0) b->row_start = b->line;
        b->fields.emplace_back(static_cast<const char*>(data), len);
    }
    static void on_row(int, void* self) {
        auto* b = static_cast<Builder*>(self);
        b->table->rows.push_back(CsvRow{b->row_start == 0 ? b->line : b->row_start, std::move(b->fields)});
        b->fields.clear();
        b->row_start = 0;
    }
};

}  // namespace

CsvTable parse_csv(std::string_view text, std::string file) {
    CsvTable table;
    table.file = std::move(file);
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

    csv_parser p{};
    if (csv_init(&p, CSV_APPEND_NULL) != 0) refuse(table.file, 0, "", "cannot initialise the CSV parser");
    Builder b;
    b.table = &table;
    // Feed line by line so that rows carry the line they start on (a quoted
    // field may span lines; libcsv keeps its state across calls).
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string_view chunk = text.substr(pos, end - pos);
        if (csv_parse(&p, chunk.data(), chunk.size(), Builder::on_field, Builder::on_row, &b) != chunk.size()) {
            std::string why = csv_strerror(csv_error(&p));
            csv_free(&p);
            refuse(table.file, b.row_start ? b.row_start : b.line, "", "malformed CSV: " + why);
        }
        if (nl != std::string_view::npos) ++b.line;
        pos = end;
    }
    if (csv_fini(&p, Builder::on_field, Builder::on_row, &b) != 0) {
        std::string why = csv_strerror(csv_error(&p));
        csv_free(&p);
        refuse(table.file, b.row_start ? b.row_start : b.line, "", "malformed CSV: " + why);
    }
    csv_free(&p);
    return table;
}

CsvTable read_csv_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) refuse(path, 0, "", "cannot open file for reading");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) refuse(path, 0, "", "cannot read file");
    return parse_csv(ss.str(), path);
}

std::string normalise_header(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (c == '&') out += "and";
    }
    return out;
}

bool looks_like(Content kind, std::string_view v) {
    if (kind == Content::any) return true;
    if (v.size() != 9 || std::string_view("EWSN").find(v[0]) == std::string_view::npos) return false;
    if (!std::all_of(v.begin() + 1, v.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) return false;
    const std::string_view entity = v.substr(0, 3);
    const bool ward = entity == "E05" || entity == "W05" || entity == "S13" || entity == "N08";
    return kind == Content::ons_ward ? ward : !ward;
}

namespace {

std::string quoted_list(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        if (!s.empty()) out += (out.empty() ? "'" : ", '") + s + "'";
    return out;
}

// Whether most of the column's first 50 filled values look like `kind`.
bool column_holds(const CsvTable& table, std::size_t from, std::size_t to, std::size_t col, Content kind) {
    std::size_t filled = 0, matching = 0;
    for (std::size_t i = from; i < to && filled < 50; ++i) {
        const auto& f = table.rows[i].fields;
        if (col >= f.size()) continue;
        std::string_view v = f[col];
        while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
        while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
        if (v.empty()) continue;
        ++filled;
        if (looks_like(kind, v)) ++matching;
    }
    return filled > 0 && matching * 10 >= filled * 9;
}

// Of columns with one name, the one whose first 50 rows are most often
// filled (not empty, "NA", "N/A" or "-"); the first of them on a tie.
std::size_t most_filled(const CsvTable& table, std::size_t from, const std::vector<std::size_t>& cols) {
    std::size_t best = cols.front(), best_filled = 0;
    for (std::size_t c : cols) {
        std::size_t filled = 0;
        for (std::size_t i = from; i < table.rows.size() && i < from + 50; ++i) {
            const auto& f = table.rows[i].fields;
            if (c >= f.size()) continue;
            const std::string v = normalise_header(f[c]);
            if (!v.empty() && v != "na") ++filled;
        }
        if (filled > best_filled) best = c, best_filled = filled;
    }
    return best;
}

}  // namespace

std::optional<Header> Header::at_row(const CsvTable& table, const std::vector<ColumnSpec>& specs, std::size_t r,
                                     std::string& missing, std::size_t& found) {
    const auto& fields = table.rows[r].fields;
    std::vector<std::string> norm;
    for (const auto& f : fields) norm.push_back(normalise_header(f));
    // Group labels from the row above, carried rightwards.
    std::vector<std::string> groups(fields.size());
    bool has_groups = false;
    if (r > 0) {
        const auto& above = table.rows[r - 1].fields;
        std::string cur;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i < above.size() && !normalise_header(above[i]).empty()) {
                cur = normalise_header(above[i]);
                has_groups = true;
            }
            groups[i] = cur;
        }
    }
    Header h;
    h.row_ = r;
    h.header_ = fields;
    found = 0;
    missing.clear();
    for (const auto& spec : specs) {
        std::optional<std::size_t> col;
        for (const auto& name : spec.names) {
            const std::string n = normalise_header(name);
            std::vector<std::size_t> hits;
            for (std::size_t i = 0; i < norm.size(); ++i)
                if (norm[i] == n) hits.push_back(i);
            if (hits.empty()) continue;
            if (!spec.group.empty() && has_groups) {
                const std::string g = normalise_header(spec.group);
                for (auto i : hits)
                    if (groups[i].find(g) != std::string::npos) { col = i; break; }
            } else if (hits.size() > 1 && spec.occurrence == 0) {
                col = most_filled(table, r + 1, hits);  // "COUNTYNAME" and "County name": the one that says more
            } else if (static_cast<std::size_t>(spec.occurrence) < hits.size()) {
                col = hits[static_cast<std::size_t>(spec.occurrence)];
            }
            if (col) break;
        }
        if (col) {
            h.cols_[spec.key] = *col;
            h.labels_[spec.key] = fields[*col];
            if (spec.required) ++found;
        } else if (spec.required && missing.empty()) {
            std::string names;
            for (const auto& n : spec.names) names += (names.empty() ? "" : ", ") + ("'" + n + "'");
            missing = "missing required column '" + spec.names.front() + "'" +
                      (spec.group.empty() ? "" : " under '" + spec.group + "'") + " (accepted names: " + names + ")";
        }
    }
    if (!missing.empty()) return std::nullopt;
    return h;
}

// Columns known by their values: the named one when it holds them, else the
// first column that does (and is not already another such column).
void Header::settle_content(const CsvTable& table, const std::vector<ColumnSpec>& specs) {
    const std::size_t from = row_ + 1, to = end_;
    std::set<std::size_t> taken;
    for (const auto& spec : specs) {
        if (spec.content == Content::any) continue;
        auto it = cols_.find(spec.key);
        if (it != cols_.end() && column_holds(table, from, to, it->second, spec.content)) {
            taken.insert(it->second);
            continue;
        }
        for (std::size_t i = 0; i < header_.size(); ++i)
            if (!taken.count(i) && column_holds(table, from, to, i, spec.content)) {
                cols_[spec.key] = i;
                labels_[spec.key] = header_[i];
                taken.insert(i);
                break;
            }
    }
}

Header Header::find(const CsvTable& table, const std::vector<ColumnSpec>& specs, std::size_t scan) {
    std::size_t best_row = 0, best_found = 0;
    std::string best_missing;
    const std::size_t limit = std::min(scan, table.rows.size());
    for (std::size_t r = 0; r < limit; ++r) {
        std::string missing;
        std::size_t found = 0;
        if (auto h = at_row(table, specs, r, missing, found)) {
            h->end_ = table.rows.size();
            h->settle_content(table, specs);
            return *h;
        }
        if (found > best_found) {
            best_found = found;
            best_row = r;
            best_missing = missing;
        }
    }
    if (best_found == 0) {
        std::string names;
        for (const auto& s : specs)
            if (s.required) names += (names.empty() ? "" : ", ") + ("'" + s.names.front() + "'");
        refuse(table.file, 0, "", "no header row found in the first " + std::to_string(limit) +
                                    " rows (looked for columns " + names + ")");
    }
    refuse(table.file, table.rows[best_row].line, "",
         best_missing + "; columns found: " + quoted_list(table.rows[best_row].fields));
}

std::vector<Header> Header::find_all(const CsvTable& table, const std::vector<ColumnSpec>& specs, std::size_t scan) {
    std::vector<Header> out{find(table, specs, scan)};
    std::size_t required = 0;
    for (const auto& s : specs) required += s.required ? 1 : 0;
    for (std::size_t r = out.back().row_ + 1; r < table.rows.size(); ++r) {
        std::string missing;
        std::size_t found = 0;
        auto h = at_row(table, specs, r, missing, found);
        if (!h && found * 2 > required && found < required)
            refuse(table.file, table.rows[r].line, "",
                 "table " + std::to_string(out.size() + 1) + " (header on line " + std::to_string(table.rows[r].line) + "): " + missing +
                     "; columns found: " + quoted_list(table.rows[r].fields));
        if (!h) continue;
        out.back().end_ = r;
        out.push_back(std::move(*h));
    }
    out.back().end_ = table.rows.size();
    for (auto& h : out) h.settle_content(table, specs);
    return out;
}

bool Header::data(const CsvRow& r) {
    std::size_t filled = 0;
    for (const auto& f : r.fields)
        if (std::any_of(f.begin(), f.end(), [](unsigned char c) { return std::isspace(c) == 0; })) ++filled;
    return filled > 1;
}

std::string Header::found() const { return "columns found: " + quoted_list(header_); }

std::string_view Header::get(const CsvRow& r, const std::string& key) const {
    auto it = cols_.find(key);
    if (it == cols_.end() || it->second >= r.fields.size()) return {};
    return r.fields[it->second];
}

const std::string& Header::label(const std::string& key) const {
    static const std::string empty;
    auto it = labels_.find(key);
    return it == labels_.end() ? empty : it->second;
}

}  // namespace declared::import
