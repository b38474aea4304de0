#include "daemon/tools/event_exec.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace declared {

namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(int stdin_fd, const ExecOptions& o, char* const* envp) {
    setpgid(0, 0);  // its own group, so a timeout kills whatever it started too
    signal(SIGPIPE, SIG_DFL);
    dup2(stdin_fd, 0);
    close(stdin_fd);
    const char* argv[] = {"sh", "-c", o.command.c_str(), nullptr};
    execve("/bin/sh", const_cast<char* const*>(argv), envp);
    _exit(127);
}

std::vector<std::string> environment_for(const ExecEvent& e) {
    std::vector<std::string> env;
    for (char** p = environ; *p; ++p) {
        std::string_view v(*p);
        if (!v.starts_with("DECLARED_")) env.emplace_back(v);
    }
    env.push_back("DECLARED_TEXT=" + e.text);
    env.push_back("DECLARED_TYPE=" + e.type);
    env.push_back("DECLARED_COUNCIL=" + e.council);
    env.push_back("DECLARED_ID=" + e.id);
    env.push_back("DECLARED_SEQ=" + std::to_string(e.seq));
    return env;
}

// Writes the line to a non-blocking pipe until done, the reader goes away
// (EPIPE: not an error, the exit status decides) or the deadline passes.
void feed_stdin(int fd, const std::string& line, Clock::time_point deadline) {
    std::size_t done = 0;
    while (done < line.size()) {
        ssize_t n = ::write(fd, line.data() + done, line.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, ms_left(deadline)) <= 0) return;  // timed out: the wait below kills it
            continue;
        }
        return;  // EPIPE or another error: the child is not reading
    }
}

// Waits for the child until the deadline; kills its group after it.
std::string wait_child(pid_t pid, Clock::time_point deadline, std::chrono::milliseconds timeout) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // glibc's declaration lacks C linkage in C++
    bool timed_out = false;
    if (pidfd >= 0) {
        pollfd p{pidfd, POLLIN, 0};
        int r;
        while ((r = ::poll(&p, 1, ms_left(deadline))) < 0 && errno == EINTR) {
        }
        timed_out = r == 0;
        close(pidfd);
    }
    if (timed_out) {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) return "killed after its " + std::to_string(timeout.count()) + " ms timeout";
    if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? "" : "exited " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
    return "ended abnormally";
}

// One attempt: "" when the command exited 0, else why not.
std::string attempt(const ExecOptions& o, const ExecEvent& e) {
    auto env_strings = environment_for(e);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    const pid_t pid = ::fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return std::string("fork: ") + std::strerror(errno);
    }
    if (pid == 0) exec_child(fds[0], o, envp.data());
    setpgid(pid, pid);  // also here: no race with the child's own call
    close(fds[0]);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    const auto deadline = Clock::now() + o.timeout;
    feed_stdin(fds[1], e.json + "\n", deadline);
    close(fds[1]);
    return wait_child(pid, deadline, o.timeout);
}

}  // namespace

void ignore_sigpipe() { ::signal(SIGPIPE, SIG_IGN); }

ExecOutcome run_exec(const ExecOptions& options, const ExecEvent& event) {
    ExecOutcome out;
    auto delay = options.retry_delay;
    for (;;) {
        ++out.attempts;
        out.failure = attempt(options, event);
        out.ok = out.failure.empty();
        if (out.ok || out.attempts > options.retries) return out;
        std::this_thread::sleep_for(delay);
        delay *= 2;
    }
}

}  // namespace declared
