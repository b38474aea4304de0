// declared generate --seed S [--councils N] [--wards-per-council-scale F]
//   [--date YYYY-MM-DD] [--test] --out DIR
// Writes DIR/card.json and DIR/declarations.jsonl for a synthetic night.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "daemon/tools/generate/generator.hpp"
#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"

namespace declared {

namespace po = boost::program_options;

namespace {

bool write_atomically(const std::filesystem::path& path, const std::string& bytes, std::string& error) {
    const auto tmp = path.string() + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) return error = "cannot write " + tmp, false;
        f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        f.close();
        if (!f) return error = "cannot write " + tmp, false;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) return error = "cannot rename " + tmp + ": " + ec.message(), false;
    return true;
}

}  // namespace

int generate_command(const Args& args) {
    generate::Options opt;
    std::string out, scale = "1";
    po::options_description desc(
        "declared generate [--seed S] [--councils N] [--wards-per-council-scale F] [--date D] [--test] --out DIR");
    desc.add_options()
        ("help,h", "this help")
        ("seed", po::value(&opt.seed), "seed: the same arguments give byte-identical files (default 2026)")
        ("councils", po::value(&opt.councils), "councils on the card (default 200)")
        ("wards-per-council-scale", po::value(&scale), "multiply every council's size (and so its wards) by F (default 1)")
        ("date", po::value(&opt.date), "polling day YYYY-MM-DD (default 2026-05-07)")
        ("test", "mark the card as a rehearsal (election.test): every event says test")
        ("out", po::value(&out), "output directory for card.json and declarations.jsonl; required");
    po::variables_map vm;
    if (auto exit = read_options("declared generate", po::command_line_parser(args).options(desc), desc, vm))
        return *exit;
    if (out.empty()) return std::cerr << "declared generate: --out is required\n" << desc, 2;
    opt.test = vm.count("test") > 0;
    try {
        std::size_t used = 0;
        const double f = std::stod(scale, &used);
        if (used != scale.size() || !(f > 0) || f > 1000) throw std::invalid_argument(scale);
        opt.ward_scale_permille = static_cast<int>(std::llround(f * 1000));
        if (opt.ward_scale_permille < 1) throw std::invalid_argument(scale);
    } catch (const std::exception&) {
        std::cerr << "declared generate: --wards-per-council-scale: expected a number above 0, got '" << scale << "'\n";
        return 2;
    }

    const auto t0 = std::chrono::steady_clock::now();
    generate::Night night;
    try {
        night = generate::generate_night(opt);
    } catch (const std::invalid_argument& e) {
        std::cerr << "declared generate: " << e.what() << '\n';
        return 2;
    }
    std::string card_json = card_to_json(night.card);
    std::string lines;
    std::size_t corrections = 0;
    for (const auto& d : night.declarations) {
        lines += declaration_to_json(d);
        lines += '\n';
        corrections += d.revision > 1;
    }

    // Read our own output back the way the daemon will: a card it loads and
    // declarations it accepts (a failure here is a generator bug).
    auto card = parse_card(card_json);
    if (!card.ok()) return std::cerr << "declared generate: internal error: card: " << card.error.message() << '\n', 1;
    {
        Tally tally(*card.value);
        DeclarationParser parser;
        for (std::size_t pos = 0, n = 1; pos < lines.size(); ++n) {
            const std::size_t end = lines.find('\n', pos);
            const std::string_view line = std::string_view(lines).substr(pos, end - pos);
            auto d = parser.parse(line);
            pos = end + 1;
            if (!d.ok()) return std::cerr << "declared generate: internal error: line " << n << ": " << d.error.message() << '\n', 1;
            auto a = tally.assess(*d.value);
            if (!a.accepted())
                return std::cerr << "declared generate: internal error: line " << n << ": " << a.error.message() << "\n  " << line << '\n', 1;
        }
    }

    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) return std::cerr << "declared generate: cannot create " << out << ": " << ec.message() << '\n', 1;
    std::string error;
    if (!write_atomically(std::filesystem::path(out) / "card.json", card_json, error) ||
        !write_atomically(std::filesystem::path(out) / "declarations.jsonl", lines, error))
        return std::cerr << "declared generate: " << error << '\n', 1;

    std::size_t wards = 0, postponed = 0, seats = 0, candidates = 0;
    for (const auto& c : night.card.councils)
        for (const auto& w : c.wards) ++wards, postponed += w.postponed, seats += static_cast<std::size_t>(w.seats);
    for (const auto& d : night.declarations) candidates += d.revision == 1 ? d.candidates.size() : 0;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "generate: " << night.card.councils.size() << " councils, " << wards << " wards (" << postponed
              << " postponed), " << seats << " seats up, " << candidates << " candidates, "
              << night.declarations.size() << " declarations (" << corrections << " correction"
              << (corrections == 1 ? "" : "s") << ")";
    if (!night.declarations.empty())
        std::cerr << ", " << night.declarations.front().declared_at << " to " << night.declarations.back().declared_at;
    std::cerr << "; " << out << "/card.json, " << out << "/declarations.jsonl in " << ms << " ms\n";
    return 0;
}

}  // namespace declared
