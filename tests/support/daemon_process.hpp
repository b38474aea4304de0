#pragma once
// Test harness: runs the real `declared` executable as a child process.
// DaemonProcess starts `declared serve`, captures its stderr in a file, waits
// for "listening on http://127.0.0.1:PORT", and stops it with SIGTERM or
// SIGKILL. run_command runs any other subcommand to completion.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace declared::testing {

// What a finished child did: its exit code, or the signal that ended it.
struct ExitStatus {
    int code = -1;    // exit code when exited normally, else -1
    int signal = 0;   // terminating signal, else 0
    bool exited() const { return signal == 0 && code >= 0; }
};

class DaemonProcess {
public:
    DaemonProcess() = default;
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;
    ~DaemonProcess();  // SIGKILLs a child still running

    // Spawns `binary serve args...` with stderr appended to log_path and waits
    // until it prints its listening line (true) or exits or times out (false;
    // see exit_status() and log()).
    bool start(const std::string& binary, const std::vector<std::string>& args, const std::string& log_path,
               std::chrono::milliseconds timeout = std::chrono::seconds(15));

    // Spawns without waiting for the listening line (for start-up failures).
    void spawn(const std::string& binary, const std::vector<std::string>& args, const std::string& log_path);
    // Waits until the child's log holds `text` (true), or it exits or the
    // timeout passes (false).
    bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout);
    // Waits for the child to exit; nullopt on timeout (the child keeps running).
    std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);

    // SIGKILL and reap. No-op when not running.
    void kill9();
    // SIGTERM, wait up to timeout, then SIGKILL; returns how it ended.
    ExitStatus terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void signal(int sig) const;

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    int port() const { return port_; }
    const std::optional<ExitStatus>& exit_status() const { return status_; }
    // Everything the child wrote to stderr in this run (from start()/spawn()).
    std::string log() const;

private:
    bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& seen);

    pid_t pid_ = -1;
    int port_ = 0;
    std::string log_path_;
    std::size_t log_offset_ = 0;
    std::optional<ExitStatus> status_;
};

// Runs binary with args to completion; stdout and stderr captured in full.
struct CommandResult {
    ExitStatus status;
    std::string out, err;
};
CommandResult run_command(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& scratch_dir);

// A temporary directory under /tmp, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string read_whole_file(const std::string& path);
void write_whole_file(const std::string& path, const std::string& bytes);
// Size in bytes; -1 when absent.
long long file_size_or_minus1(const std::string& path);

}  // namespace declared::testing
