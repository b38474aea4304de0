#pragma once
// A small generated night (`declared generate --test`) in a temp dir, with
// its offline replay, the arguments to serve it, and `declared replay --to`
// to push it. For tests that run the real binary (DECLARED_BINARY).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/daemon_process.hpp"

namespace declared::testing {

struct GeneratedNight {
    TempDir dir;
    std::string card, declarations, offline_summary;
    GeneratedNight(int councils, int seed) {
        auto gen = run_command(DECLARED_BINARY, {"generate", "--seed", std::to_string(seed), "--councils",
                                                 std::to_string(councils), "--test", "--out", dir / "night"},
                               dir.path());
        INFO(gen.err);
        REQUIRE(gen.status.code == 0);
        card = dir / "night/card.json";
        declarations = dir / "night/declarations.jsonl";
        offline_summary = summary_of(declarations);
    }
    // declared replay --summary of a declarations file: the state it leads to.
    std::string summary_of(const std::string& file) const {
        auto offline = run_command(DECLARED_BINARY, {"replay", "--summary", "--card", card, "--declarations", file}, dir.path());
        INFO(offline.err);
        REQUIRE(offline.status.code == 0);
        return offline.out;
    }
    // declared replay --to the daemon on port, at speed ("" for the default), with token.
    CommandResult push(int port, const std::string& speed, const std::string& token) const {
        std::vector<std::string> args{"replay", "--to", url(port), "--token", token, "--card", card, "--declarations",
                                      declarations};
        if (!speed.empty()) args.insert(args.end(), {"--speed", speed});
        return run_command(DECLARED_BINARY, args, dir.path());
    }
    std::vector<std::string> serve_args(int port) const {
        return {"--card", card, "--journal", dir / "journal", "--listen", "127.0.0.1:" + std::to_string(port),
                "--ingest-token", "t"};
    }
    std::string url(int port) const { return "http://127.0.0.1:" + std::to_string(port); }
};

}  // namespace declared::testing
