#pragma once
// A long-running child of a test (e.g. `declared tail`) with stdout and stderr
// in files: spawn, ask whether it still runs, stop it with a signal and learn
// how it ended.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <string>
#include <vector>

#include "tests/support/daemon_process.hpp"

extern char** environ;

namespace declared::testing {

class ChildProcess {
public:
    ChildProcess(const std::string& binary, std::vector<std::string> args, const std::string& out,
                 const std::string& err) {
        args.insert(args.begin(), binary);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess() { stop(SIGKILL); }

    // True while the child has not exited (reaps it once it has).
    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            ended_ = decode(status);
            pid_ = -1;
        }
        return pid_ > 0;
    }
    // Sends sig and waits for the child to end; how it ended (also when it had already).
    ExitStatus stop(int sig = SIGTERM) {
        if (running()) {
            ::kill(pid_, sig);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            ended_ = decode(status);
            pid_ = -1;
        }
        return ended_;
    }

private:
    static ExitStatus decode(int status) {
        ExitStatus s;
        if (WIFEXITED(status)) s.code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
        return s;
    }

    pid_t pid_ = -1;
    ExitStatus ended_;
};

}  // namespace declared::testing
