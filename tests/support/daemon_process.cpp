#include "tests/support/daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace declared::testing {

namespace {

using Clock = std::chrono::steady_clock;

ExitStatus decode(int wstatus) {
    ExitStatus s;
    if (WIFEXITED(wstatus)) s.code = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus)) s.signal = WTERMSIG(wstatus);
    return s;
}

pid_t spawn_with(const std::string& binary, const std::vector<std::string>& args, const std::string& out_path,
                 const std::string& err_path, bool append) {
    std::vector<std::string> argv_s{binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), flags, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), flags, 0644);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn " + binary + ": " + std::strerror(rc));
    return pid;
}

}  // namespace

DaemonProcess::~DaemonProcess() { kill9(); }

void DaemonProcess::spawn(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path) {
    kill9();
    log_path_ = log_path;
    long long size = file_size_or_minus1(log_path);
    log_offset_ = size > 0 ? static_cast<std::size_t>(size) : 0;
    std::vector<std::string> full{"serve"};
    full.insert(full.end(), args.begin(), args.end());
    status_.reset();
    port_ = 0;
    pid_ = spawn_with(binary, full, log_path, log_path, true);
}

bool DaemonProcess::start(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path, std::chrono::milliseconds timeout) {
    spawn(binary, args, log_path);
    // The whole line, newline included, so a half-written port is never read.
    static const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)\r?\n)");
    std::smatch m;
    std::string text;
    if (!wait_until(timeout, [&] { return std::regex_search(text = log(), m, listening); })) return false;
    port_ = std::stoi(m[1].str());
    return true;
}

bool DaemonProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
    return wait_until(timeout, [&] { return log().find(text) != std::string::npos; });
}

bool DaemonProcess::wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& seen) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (seen()) return true;
        if (wait(std::chrono::milliseconds(0)) || Clock::now() >= deadline) return false;  // exited, or too long
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

std::optional<ExitStatus> DaemonProcess::wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return status_;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int wstatus = 0;
        pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            status_ = decode(wstatus);
            return status_;
        }
        if (r < 0 && errno != EINTR) {
            pid_ = -1;
            return std::nullopt;
        }
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void DaemonProcess::signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
}

void DaemonProcess::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
    }
    status_ = decode(wstatus);
    pid_ = -1;
}

ExitStatus DaemonProcess::terminate(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return status_.value_or(ExitStatus{});
    ::kill(pid_, SIGTERM);
    if (auto s = wait(timeout)) return *s;
    kill9();
    return *status_;
}

std::string DaemonProcess::log() const {
    if (log_path_.empty()) return {};
    std::string all = read_whole_file(log_path_);
    return log_offset_ <= all.size() ? all.substr(log_offset_) : all;
}

CommandResult run_command(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& scratch_dir) {
    static int counter = 0;
    const std::string base = scratch_dir + "/cmd" + std::to_string(++counter);
    pid_t pid = spawn_with(binary, args, base + ".out", base + ".err", false);
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    CommandResult r;
    r.status = decode(wstatus);
    r.out = read_whole_file(base + ".out");
    r.err = read_whole_file(base + ".err");
    std::filesystem::remove(base + ".out");
    std::filesystem::remove(base + ".err");
    return r;
}

TempDir::TempDir() {
    char tmpl[] = "/tmp/declared-it-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_whole_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

long long file_size_or_minus1(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<long long>(st.st_size);
}

}  // namespace declared::testing
