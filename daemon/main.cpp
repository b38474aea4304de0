// declared: live election-night results. This file only dispatches to the
// subcommand; each lives in its own *_command.cpp.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "daemon/commands.hpp"

namespace {

struct Command {
    std::string_view name;
    int (*run)(const declared::Args&);
    std::string_view summary;
};

constexpr Command kCommands[] = {
    {"card", declared::card_command, "check an election card: every problem with its path (card check CARD)"},
    {"demo", declared::demo_command, "the whole night in three minutes: daemon, replay, live page, calls in the terminal"},
    {"desk", declared::desk_command, "the results desk: policies, approvals, overrides, withdrawals, embargo (desk URL ACTION)"},
    {"generate", declared::generate_command, "write a synthetic election night (card and declarations)"},
    {"import", declared::import_command, "turn published result tables into a card and declarations"},
    {"replay", declared::replay_command, "apply a night's declarations offline and print the result"},
    {"serve", declared::serve_command, "run the daemon: ingest, journal, read API and live feed"},
    {"tail", declared::tail_command, "follow the live feed: print events, run a command per event"},
    {"upstream-sim", declared::upstream_sim_command, "serve a recorded night as an upstream feed, with faults, to rehearse"},
    {"webhook", declared::webhook_command, "webhook redeliver: send dead-lettered webhook events again"},
};

int usage(std::FILE* out) {
    std::fprintf(out, "usage: declared COMMAND [options]\n\ncommands:\n");
    for (const auto& c : kCommands)
        std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                     static_cast<int>(c.summary.size()), c.summary.data());
    std::fprintf(out, "\n'declared COMMAND --help' describes a command's options.\n");
    return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage(stderr);
    std::string_view name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") return usage(stdout);
    if (name == "--version") return std::puts("declared 0.1.0"), 0;
    for (const auto& c : kCommands)
        if (c.name == name) return c.run(declared::Args(argv + 2, argv + argc));
    std::fprintf(stderr, "declared: unknown command '%s'\n\n", argv[1]);
    return usage(stderr);
}
