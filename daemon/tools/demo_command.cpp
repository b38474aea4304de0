// declared demo: the whole product in one command. Generates the default night
// (or takes --night DIR), then runs three of declared's own commands as child
// processes of this one:
//   declared serve   on 127.0.0.1:8080 with a temporary journal, a random ingest token and a desk token
//   declared desk    policy approve on a few councils and one desk call (daemon/tools/demo_desk.hpp)
//   declared tail    printing control calls and retractions as they happen
//   declared replay --to   pushing the night so that it plays in about three minutes
// and prints the page's URL. Ctrl-C (or SIGTERM) stops them in reverse order,
// removes the temporary directory and exits 0.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "daemon/commands.hpp"
#include "daemon/tools/tool_options.hpp"
#include "daemon/tools/demo_desk.hpp"
#include "daemon/tools/push_replay.hpp"
#include "ingest/read_file.hpp"
#include "net/http_client.hpp"

namespace declared {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr double kTargetSeconds = 180;  // the whole night in about three minutes

struct Child {
    const char* name;
    pid_t pid = -1;
    int status = 0;
    bool running() const { return pid > 0; }
};

std::string self_exe() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("declared") : p.string();
}

// Starts `declared ARGS...` in its own process group (so the terminal's Ctrl-C
// reaches only this process, which then stops the children in order), with
// stdout and stderr sent where asked (-1: inherited). A child outlives no
// parent: PR_SET_PDEATHSIG sends it SIGTERM if this process dies.
pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd) {
    std::vector<char*> argv;
    static const std::string exe = self_exe();
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) return pid;
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (out_fd >= 0) dup2(out_fd, STDOUT_FILENO);
    if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
    execv(exe.c_str(), argv.data());
    _exit(127);
}

// "2026-05-08T01:20:00Z" to seconds since 1970; the night's span is all we need.
std::optional<long long> seconds_of(std::string_view s) {
    int y, mo, d, h, mi, se;
    if (s.size() < 19 || std::sscanf(std::string(s.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
        return std::nullopt;
    using namespace std::chrono;
    auto days = sys_days(year(y) / month(static_cast<unsigned>(mo)) / day(static_cast<unsigned>(d)));
    long long t = duration_cast<seconds>(days.time_since_epoch()).count() + h * 3600 + mi * 60 + se;
    if (s.size() >= 25 && (s[19] == '+' || s[19] == '-')) {
        int off = (std::atoi(std::string(s.substr(20, 2)).c_str()) * 60 + std::atoi(std::string(s.substr(23, 2)).c_str())) * 60;
        t += s[19] == '+' ? -off : off;
    }
    return t;
}

struct NightSpan {
    std::size_t declarations = 0;
    long long first = 0, last = 0;
};

std::optional<NightSpan> night_span(const std::string& path, std::string& error) {
    auto text = read_file(path);
    if (!text.ok()) return error = text.error.message(), std::nullopt;
    NightSpan span;
    bool any = false;
    std::string_view all = *text.value;
    for (std::size_t pos = 0; pos < all.size();) {
        auto end = all.find('\n', pos);
        if (end == std::string_view::npos) end = all.size();
        std::string_view line = all.substr(pos, end - pos);
        pos = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        ++span.declarations;
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (ec || !v.is_object()) continue;  // the daemon will say what is wrong with it
        auto* at = v.as_object().if_contains("declared_at");
        if (!at || !at->is_string()) continue;
        auto t = seconds_of(std::string_view(at->as_string()));
        if (!t) continue;
        if (!any || *t < span.first) span.first = *t;
        if (!any || *t > span.last) span.last = *t;
        any = true;
    }
    return span;
}

// GET target on host:port; the status, or 0 when nothing answered.
int http_status(const std::string& host, const std::string& port, const std::string& target) {
    net::Request req{boost::beast::http::verb::get, target, 11};
    auto r = net::http_fetch(net::HttpTarget{host, port, target}, std::move(req), std::chrono::seconds(2), 1 << 20);
    return r.response ? static_cast<int>(r.response->result_int()) : 0;
}

std::string random_token() {
    unsigned char bytes[16] = {};
    std::ifstream("/dev/urandom", std::ios::binary).read(reinterpret_cast<char*>(bytes), sizeof bytes);
    static const char* hex = "0123456789abcdef";
    std::string t;
    for (unsigned char b : bytes) t += hex[b >> 4], t += hex[b & 15];
    return t;
}

void print_tail(const std::string& path, std::size_t lines) {
    std::ifstream f(path);
    std::vector<std::string> all;
    for (std::string l; std::getline(f, l);) all.push_back(l);
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) std::cerr << "  " << all[i] << '\n';
}

// The demo's run, step by step: the night, the daemon, the desk, then the
// tail and the replay watched until Ctrl-C, and everything stopped in reverse.
class Demo {
public:
    Demo(std::string listen, std::string host, std::string port, std::optional<double> speed, bool speed_given)
        : listen_(std::move(listen)), host_(std::move(host)), port_(std::move(port)), base_("http://" + host_ + ":" + port_),
          speed_(speed), speed_given_(speed_given) {}
    ~Demo() {
        if (progress_ >= 0) close(progress_);
        if (log_fd_ >= 0) close(log_fd_);
        std::error_code ec;
        if (!tmp_.empty()) fs::remove_all(tmp_, ec);
    }

    int run(const std::string& night, std::uint64_t seed) {
        // Signals arrive on a descriptor, read in the loop; children unblock them.
        sigset_t mask;
        sigemptyset(&mask);
        for (int sig : {SIGINT, SIGTERM, SIGCHLD}) sigaddset(&mask, sig);
        sigprocmask(SIG_BLOCK, &mask, nullptr);
        sig_fd_ = signalfd(-1, &mask, SFD_CLOEXEC);
        char tmpl[] = "/tmp/declared-demo-XXXXXX";
        if (!mkdtemp(tmpl)) return std::perror("declared demo: mkdtemp"), 1;
        tmp_ = tmpl;
        if (int rc = prepare_night(night, seed)) return rc;
        log_path_ = (tmp_ / "daemon.log").string();
        log_fd_ = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (!start_daemon()) return stop_children(), 1;
        act_as_desk();
        if (!start_tail_and_replay()) return stop_children(), 1;
        print_banner();
        const bool failed = supervise();
        stop_children();
        std::cout << "  demo: stopped\n" << std::flush;
        return failed ? 1 : 0;
    }

private:
    // The night to play: --night DIR, or a generated one.
    int prepare_night(const std::string& night, std::uint64_t seed) {
        if (night.empty()) {
            // A rehearsal card: a synthetic night must never pass for real results.
            std::cout << "demo: generating the default night (seed " << seed << ")\n" << std::flush;
            if (int rc = generate_command({"--seed", std::to_string(seed), "--test", "--out", (tmp_ / "night").string()}))
                return rc;
            card_ = (tmp_ / "night" / "card.json").string();
            decls_ = (tmp_ / "night" / "declarations.jsonl").string();
        } else {
            card_ = (fs::path(night) / "card.json").string();
            decls_ = (fs::path(night) / "declarations.jsonl").string();
        }
        std::string error;
        auto span = night_span(decls_, error);
        if (!span) return std::cerr << "declared demo: " << error << '\n', 1;
        span_ = *span;
        if (!speed_given_)
            speed_ = std::max(1.0, std::round(static_cast<double>(span_.last - span_.first) / kTargetSeconds));
        return 0;
    }

    // Starts the daemon and waits for it to be ready, or to fail (a port in use, a bad card).
    bool start_daemon() {
        serve_.pid = spawn({"serve", "--card", card_, "--journal", (tmp_ / "journal.dcl").string(), "--listen", listen_,
                            "--ingest-token", "demo:" + token_, "--desk-token", "demo desk:" + desk_token_},
                           log_fd_, log_fd_);
        for (int i = 0; i < 300; ++i) {
            int status = 0;
            if (waitpid(serve_.pid, &status, WNOHANG) == serve_.pid) {
                std::cerr << "declared demo: the daemon stopped at start (exit "
                          << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << "); its log:\n";
                print_tail(log_path_, 10);
                std::cerr << "(is something else on " << listen_ << "? try --listen 127.0.0.1:8081)\n";
                serve_.pid = -1;
                return false;
            }
            if (http_status(host_, port_, "/readyz") == 200) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        std::cerr << "declared demo: the daemon did not become ready in 30 s; its log:\n";
        print_tail(log_path_, 10);
        return false;
    }

    // The desk at work before polls close, through `declared desk` as an editor would.
    void act_as_desk() {
        auto card_text = read_file(card_);
        for (auto& action : demo_desk_actions(card_text.ok() ? *card_text.value : std::string())) {
            action.insert(action.begin(), {"desk", base_});
            action.insert(action.end(), {"--token", desk_token_});
            int status = 0;
            const pid_t pid = spawn(action, log_fd_, log_fd_);
            if (pid > 0) waitpid(pid, &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                std::cerr << "declared demo: the desk action '" << action[2] << " " << action[3] << "' was refused; see "
                          << log_path_ << '\n';
        }
    }

    // Control calls in the terminal (`declared tail`, exactly as a newsroom
    // would run it), and the replay, whose progress comes through a pipe (so
    // it writes whole lines every few seconds rather than redrawing one).
    bool start_tail_and_replay() {
        tail_.pid = spawn({"tail", base_, "--types", "control_called,call_retracted"}, -1, log_fd_);
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return std::perror("declared demo: pipe"), false;
        replay_.pid = spawn({"replay", "--to", base_, "--token", token_, "--card", card_, "--declarations", decls_,
                             "--speed", speed_ ? speed_words() : std::string("max")},
                            -1, fds[1]);
        close(fds[1]);
        progress_ = fds[0];
        return true;
    }

    std::string speed_words() const {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", *speed_);
        return buf;
    }

    void print_banner() const {
        const long long night_seconds = span_.last - span_.first;
        std::cout << "\n  declared demo: the live results page is at  " << base_ << "/\n\n"
                  << "  " << span_.declarations << " declarations, " << night_seconds / 3600 << " h "
                  << night_seconds / 60 % 60 << " min of night, replayed at "
                  << (speed_ ? speed_words() + "x" : std::string("full speed"))
                  << (speed_given_ ? "" : " (about three minutes)") << ".\n"
                  << "  The results desk view is at  " << base_ << "/desk?token=" << desk_token_ << "\n"
                  << "  (three councils wait there for approval; one is called by the desk).\n"
                  << "  Control calls appear below as they happen (declared tail). Ctrl-C stops everything.\n"
                  << "  Daemon log: " << log_path_ << "\n\n"
                  << std::flush;
    }

    // Passes the replay's progress lines on, watches the children, waits for
    // Ctrl-C. True when a child other than the replay stopped by itself.
    bool supervise() {
        std::string pending;
        for (;;) {
            pollfd fds[2] = {{sig_fd_, POLLIN, 0}, {progress_, POLLIN, 0}};
            const nfds_t n = progress_ >= 0 ? 2 : 1;
            if (poll(fds, n, -1) < 0) continue;
            if (n == 2 && (fds[1].revents & (POLLIN | POLLHUP))) forward_progress(pending);
            if (!(fds[0].revents & POLLIN)) continue;
            signalfd_siginfo si{};
            if (read(sig_fd_, &si, sizeof si) != sizeof si) continue;
            if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) return false;
            if (child_ended()) return true;  // SIGCHLD
        }
    }

    void forward_progress(std::string& pending) {
        char buf[4096];
        const ssize_t got = read(progress_, buf, sizeof buf);
        if (got <= 0) {
            close(progress_);
            progress_ = -1;
            return;
        }
        pending.append(buf, static_cast<std::size_t>(got));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
            std::cout << "  " << pending.substr(0, nl) << '\n' << std::flush;
            pending.erase(0, nl + 1);
        }
    }

    // Which child ended? The replay's end is the night in; any other is a failure.
    bool child_ended() {
        bool failed = false;
        for (Child* c : {&replay_, &tail_, &serve_}) {
            if (!c->running() || waitpid(c->pid, &c->status, WNOHANG) != c->pid) continue;
            c->pid = -1;
            if (c != &replay_) {
                std::cerr << "declared demo: " << c->name << " stopped unexpectedly; its log:\n";
                print_tail(log_path_, 10);
                failed = true;
            } else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0) {
                std::cout << "\n  The whole night is in. The page stays up at " << base_ << "/ until Ctrl-C.\n" << std::flush;
            } else {
                std::cout << "\n  declared demo: the replay stopped early (see above); the page stays up until Ctrl-C.\n"
                          << std::flush;
            }
        }
        return failed;
    }

    // Reverse order: stop pushing, stop printing, then let the daemon drain and exit.
    void stop_children() {
        std::cout << "\n  demo: stopping\n" << std::flush;
        for (Child* c : {&replay_, &tail_, &serve_}) {
            if (!c->running()) continue;
            kill(c->pid, SIGTERM);
            bool gone = false;
            for (int i = 0; i < 100 && !gone; ++i) {
                gone = waitpid(c->pid, &c->status, WNOHANG) == c->pid;
                if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            if (!gone) {
                kill(c->pid, SIGKILL);
                waitpid(c->pid, &c->status, 0);
            }
            c->pid = -1;
        }
    }

    const std::string listen_, host_, port_, base_;
    std::optional<double> speed_;
    const bool speed_given_;
    const std::string token_ = random_token(), desk_token_ = random_token();
    fs::path tmp_;
    std::string card_, decls_, log_path_;
    NightSpan span_;
    int sig_fd_ = -1, log_fd_ = -1, progress_ = -1;
    Child serve_{"serve"}, tail_{"tail"}, replay_{"replay"};
};

}  // namespace

int demo_command(const Args& args) {
    std::string listen = "127.0.0.1:8080", speed_text, night;
    std::uint64_t seed = 2026;
    po::options_description opts("declared demo [--listen ADDR:PORT] [--speed X] [--night DIR]");
    opts.add_options()
        ("help,h", "show this help")
        ("listen", po::value(&listen), "where the daemon and the page listen (default 127.0.0.1:8080)")
        ("speed", po::value(&speed_text), "night seconds per second, or max (default: the whole night in about three minutes)")
        ("night", po::value(&night), "a directory with card.json and declarations.jsonl (default: generate one)")
        ("seed", po::value(&seed), "seed for the generated night (default 2026)");
    po::variables_map vm;
    if (auto exit = read_options("declared demo", po::command_line_parser(args).options(opts), opts, vm))
        return *exit;
    std::optional<double> speed;
    if (!speed_text.empty() && !parse_speed(speed_text, speed))
        return std::cerr << "declared demo: --speed: expected a number above 0 or max\n", 2;
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        return std::cerr << "declared demo: --listen: expected ADDR:PORT such as 127.0.0.1:8080\n", 2;
    std::string host = listen.substr(0, colon), port = listen.substr(colon + 1);
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::" || host == "[::]") host = "[::1]";
    Demo demo(listen, host, port, speed, !speed_text.empty());
    return demo.run(night, seed);
}

}  // namespace declared
