#pragma once
// Test fixture: a real three-node nats-server cluster with JetStream on
// loopback. Each node gets free ports, its own config file and store
// directory under one temp dir; start() returns once every node's /healthz
// says JetStream is up, a meta leader exists and the node is current with it
// (bounded by a deadline, polled, never a fixed sleep). Nodes can be killed
// and restarted on the same ports and store, as a machine that reboots.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/daemon_process.hpp"

namespace declared::testing {

class NatsCluster {
public:
    // The nats-server binary, if installed (PATH, then /usr/sbin).
    static std::optional<std::string> server_binary();

    explicit NatsCluster(int nodes = 3);
    ~NatsCluster();
    NatsCluster(const NatsCluster&) = delete;
    NatsCluster& operator=(const NatsCluster&) = delete;

    // Starts every node and waits until all are healthy. False (see log())
    // when that does not happen within timeout.
    bool start(std::chrono::milliseconds timeout = std::chrono::seconds(45));

    int size() const { return static_cast<int>(nodes_.size()); }
    std::vector<std::string> urls() const;  // nats://127.0.0.1:port of every node
    std::string url(int i) const;
    std::string name(int i) const { return nodes_[static_cast<std::size_t>(i)].name; }  // server_name, "n1".. 
    int index_of(const std::string& server_name) const;  // -1 if none

    void kill(int i);  // SIGKILL, like a machine losing power
    bool running(int i);
    // Starts node i again (same ports, config and store) and waits until it is healthy.
    bool restart(int i, std::chrono::milliseconds timeout = std::chrono::seconds(45));
    // True when node i's /healthz answers 200.
    bool healthy(int i) const;
    // Every node's stderr, for failure messages.
    std::string log() const;

private:
    struct Node {
        std::string name;
        int client_port = 0, cluster_port = 0, http_port = 0;
        std::string config, store, log_path;
        std::unique_ptr<ChildProcess> process;
    };
    void pick_ports_and_write_configs();
    void spawn(Node& n);

    std::string binary_;
    TempDir dir_;
    std::vector<Node> nodes_;
};

}  // namespace declared::testing
