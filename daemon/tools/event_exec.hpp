#pragma once
// Runs the alert bot's command for one event (`declared tail --exec`): the
// event's JSON line on stdin, its text and keys in the environment, a time
// limit per attempt, and a bounded number of retries. The caller learns how it
// went as a value, so no event is ever skipped without a word: a child that
// exits early or never reads its stdin is no error of tail's (SIGPIPE is
// ignored here and restored for the child), only its exit status counts.
#include <chrono>
#include <string>

namespace declared {

struct ExecOptions {
    std::string command;                              // run by /bin/sh -c
    std::chrono::milliseconds timeout{30'000};        // per attempt; then SIGKILL to its process group
    int retries = 2;                                  // attempts after the first failure
    std::chrono::milliseconds retry_delay{250};       // doubled after each failed attempt
};

// The environment a command sees for its event.
struct ExecEvent {
    std::string json;  // the event's line, without the newline
    std::string text, type, council, id;
    unsigned long long seq = 0;
};

struct ExecOutcome {
    bool ok = false;
    int attempts = 0;
    std::string failure;  // the last attempt's, e.g. "exited 3", "killed after 30000 ms timeout"
};

// Ignore SIGPIPE in this process: writes to a child that went away fail with
// EPIPE instead of killing the bot. Call once before the first run_exec.
void ignore_sigpipe();

ExecOutcome run_exec(const ExecOptions& options, const ExecEvent& event);

}  // namespace declared
