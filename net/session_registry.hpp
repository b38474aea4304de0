#pragma once
// Live connections, for shutdown and the connection limits. The registry does
// not keep sessions alive: it holds weak pointers, and sessions remove
// themselves when they are destroyed.
//
// Limits are per registry and per peer address. At a limit, the oldest
// session that is idle (waiting for a request with nothing received) is asked
// to close to make room, so sockets opened and left silent cannot lock others
// out; when none is idle, a few reserve places remain, which a session may
// keep only if its first request proves it is trusted (an ingest token).
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace declared::net {

class Closable {
public:
    virtual ~Closable() = default;
    // Finish what is in flight, then close (a close frame for WebSockets).
    virtual void close_gracefully() = 0;
    // Asked to make room: close now if still idle (the default: gracefully).
    virtual void evict() { close_gracefully(); }
};

struct RegistryLimits {
    std::size_t total = 1024;
    std::size_t per_address = 0;  // 0: no limit per address
    std::size_t reserve = 0;      // places beyond total for sessions that prove trusted
};

class SessionRegistry {
public:
    struct Place {
        std::size_t id = 0;    // 0: refused (pass nothing to remove())
        bool reserve = false;  // admitted beyond the limit: serve only if trusted
    };
    Place add(std::weak_ptr<Closable> s, const std::string& address, const RegistryLimits& limits);
    void remove(std::size_t id);
    // For a place taken before its session existed (add() with an empty pointer).
    void attach(std::size_t id, std::weak_ptr<Closable> s);
    // Idle: waiting for a request with nothing of it received. Idle sessions
    // are the first to be closed when a limit is reached.
    void set_idle(std::size_t id, bool idle);
    std::size_t size() const;
    std::size_t evicted() const;  // sessions asked to make room, in all
    // Asks every live session to close; sessions then end on their own strands.
    void close_all();

private:
    struct Entry {
        std::weak_ptr<Closable> session;
        std::string address;
        bool idle = false;
        bool evicting = false;
        std::chrono::steady_clock::time_point idle_since;
    };
    // The oldest idle session (of `address` when given) not yet asked; null if none.
    Entry* oldest_idle(const std::string* address);

    mutable std::mutex mutex_;
    std::size_t next_id_ = 1;
    std::size_t evicting_ = 0;  // entries asked to close that have not gone yet
    std::size_t evicted_ = 0;
    std::unordered_map<std::size_t, Entry> sessions_;
    std::unordered_map<std::string, std::size_t> per_address_;
};

}  // namespace declared::net
