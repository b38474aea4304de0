#include "feed/session_registry.hpp"

#include <vector>

namespace declared::feed {

std::size_t SessionRegistry::add(std::weak_ptr<Closable> s, std::size_t limit) {
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= limit) return 0;
    std::size_t id = next_id_++;
    sessions_.emplace(id, std::move(s));
    return id;
}

void SessionRegistry::remove(std::size_t id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
}

std::size_t SessionRegistry::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

void SessionRegistry::close_all() {
    // Hold the lock only to copy the list (chat-multi's rule).
    std::vector<std::shared_ptr<Closable>> live;
    {
        std::lock_guard lock(mutex_);
        live.reserve(sessions_.size());
        for (auto& [id, weak] : sessions_)
            if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->close_gracefully();
}

}  // namespace declared::feed
