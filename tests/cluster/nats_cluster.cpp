#include "tests/cluster/nats_cluster.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/wait_for.hpp"

namespace declared::testing {

namespace {

using Clock = std::chrono::steady_clock;

// n ports the kernel considers free, all bound at once so they differ.
std::vector<int> free_ports(int n) {
    std::vector<int> fds, ports;
    for (int i = 0; i < n; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        socklen_t len = sizeof a;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot find a free port");
        fds.push_back(fd);
        ports.push_back(ntohs(a.sin_port));
    }
    for (int fd : fds) ::close(fd);
    return ports;
}

}  // namespace

std::optional<std::string> NatsCluster::server_binary() {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::string p = path;
        for (std::size_t start = 0; start <= p.size();) {
            const auto colon = p.find(':', start);
            dirs.push_back(p.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    dirs.push_back("/usr/sbin");
    for (const auto& d : dirs) {
        const std::string candidate = (d.empty() ? std::string(".") : d) + "/nats-server";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

NatsCluster::NatsCluster(int nodes) : binary_(server_binary().value_or("nats-server")) {
    nodes_.resize(static_cast<std::size_t>(nodes));
    for (int i = 0; i < nodes; ++i) {
        Node& n = nodes_[static_cast<std::size_t>(i)];
        n.name = "n" + std::to_string(i + 1);
        n.config = dir_ / (n.name + ".conf");
        n.store = dir_ / (n.name + "-store");
        n.log_path = dir_ / (n.name + ".log");
    }
}

NatsCluster::~NatsCluster() {
    for (auto& n : nodes_) n.process.reset();  // SIGKILL each
}

void NatsCluster::pick_ports_and_write_configs() {
    const auto ports = free_ports(3 * size());
    for (int i = 0; i < size(); ++i) {
        Node& n = nodes_[static_cast<std::size_t>(i)];
        n.client_port = ports[static_cast<std::size_t>(3 * i)];
        n.cluster_port = ports[static_cast<std::size_t>(3 * i + 1)];
        n.http_port = ports[static_cast<std::size_t>(3 * i + 2)];
    }
    for (auto& n : nodes_) {
        std::string routes;
        for (const auto& other : nodes_)
            if (&other != &n) routes += "    nats-route://127.0.0.1:" + std::to_string(other.cluster_port) + "\n";
        write_whole_file(n.config,
                         "server_name: " + n.name + "\n" +
                         "listen: 127.0.0.1:" + std::to_string(n.client_port) + "\n" +
                         "http: 127.0.0.1:" + std::to_string(n.http_port) + "\n" +
                         "jetstream {\n  store_dir: \"" + n.store + "\"\n}\n" +
                         "cluster {\n  name: declared_test\n  listen: 127.0.0.1:" + std::to_string(n.cluster_port) +
                         "\n  routes: [\n" + routes + "  ]\n}\n");
    }
}

void NatsCluster::spawn(Node& n) {
    n.process = std::make_unique<ChildProcess>(binary_, std::vector<std::string>{"-c", n.config}, n.log_path + ".out",
                                               n.log_path);
}

bool NatsCluster::healthy(int i) const {
    const auto& n = nodes_[static_cast<std::size_t>(i)];
    return get(n.http_port, "/healthz").status == 200;
}

bool NatsCluster::start(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    // Ports found free may be taken before a server binds them (other tests
    // run beside this one): then start again on new ones, until the deadline.
    while (Clock::now() < deadline) {
        pick_ports_and_write_configs();
        for (auto& n : nodes_) spawn(n);
        // Until every node is healthy, or one has exited (its port was taken).
        bool exited = false, all = false;
        wait_for([&] {
            all = true;
            for (int i = 0; i < size(); ++i) {
                if (!nodes_[static_cast<std::size_t>(i)].process->running()) exited = true;
                else if (!healthy(i)) all = false;
            }
            return exited || all;
        }, std::chrono::duration_cast<std::chrono::milliseconds>(std::max(Clock::duration::zero(), deadline - Clock::now())));
        if (all && !exited) return true;
        for (auto& n : nodes_) n.process.reset();
        if (!exited) return false;
        for (auto& n : nodes_) std::filesystem::remove_all(n.store);
    }
    return false;
}

std::vector<std::string> NatsCluster::urls() const {
    std::vector<std::string> out;
    for (int i = 0; i < size(); ++i) out.push_back(url(i));
    return out;
}

std::string NatsCluster::url(int i) const {
    return "nats://127.0.0.1:" + std::to_string(nodes_[static_cast<std::size_t>(i)].client_port);
}

int NatsCluster::index_of(const std::string& server_name) const {
    for (int i = 0; i < size(); ++i)
        if (nodes_[static_cast<std::size_t>(i)].name == server_name) return i;
    return -1;
}

void NatsCluster::kill(int i) {
    auto& n = nodes_[static_cast<std::size_t>(i)];
    if (n.process) n.process->stop(SIGKILL);
}

bool NatsCluster::running(int i) {
    auto& n = nodes_[static_cast<std::size_t>(i)];
    return n.process && n.process->running();
}

bool NatsCluster::restart(int i, std::chrono::milliseconds timeout) {
    auto& n = nodes_[static_cast<std::size_t>(i)];
    kill(i);
    spawn(n);
    bool up = false;
    wait_for([&] { return !n.process->running() || (up = healthy(i)); }, timeout);
    return up && n.process->running();
}

std::string NatsCluster::log() const {
    std::string out;
    for (const auto& n : nodes_) {
        std::string text = read_whole_file(n.log_path);
        if (text.size() > 4000) text = "..." + text.substr(text.size() - 4000);
        out += "--- " + n.name + " (" + n.log_path + ")\n" + text;
    }
    return out;
}

}  // namespace declared::testing
