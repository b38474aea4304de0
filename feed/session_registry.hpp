#pragma once
// Live connections, for shutdown and the connection limit. The registry does
// not keep sessions alive: it holds weak pointers, and sessions remove
// themselves when they are destroyed.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace declared::feed {

class Closable {
public:
    virtual ~Closable() = default;
    // Finish what is in flight, then close (a close frame for WebSockets).
    virtual void close_gracefully() = 0;
};

class SessionRegistry {
public:
    // Returns an id to pass to remove(), or 0 when the limit is reached.
    std::size_t add(std::weak_ptr<Closable> s, std::size_t limit);
    void remove(std::size_t id);
    std::size_t size() const;
    // Asks every live session to close; sessions then end on their own strands.
    void close_all();

private:
    mutable std::mutex mutex_;
    std::size_t next_id_ = 1;
    std::unordered_map<std::size_t, std::weak_ptr<Closable>> sessions_;
};

}  // namespace declared::feed
