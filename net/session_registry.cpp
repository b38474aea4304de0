#include "net/session_registry.hpp"

#include <vector>

namespace declared::net {

SessionRegistry::Entry* SessionRegistry::oldest_idle(const std::string* address) {
    Entry* best = nullptr;
    for (auto& [id, e] : sessions_)
        if (e.idle && !e.evicting && (!address || e.address == *address) && (!best || e.idle_since < best->idle_since))
            best = &e;
    return best;
}

SessionRegistry::Place SessionRegistry::add(std::weak_ptr<Closable> s, const std::string& address,
                                            const RegistryLimits& limits) {
    std::shared_ptr<Closable> victim;
    Place place;
    {
        std::lock_guard lock(mutex_);
        const std::size_t live = sessions_.size() - evicting_;
        std::size_t& mine = per_address_[address];
        Entry* room = nullptr;
        if (limits.per_address && mine >= limits.per_address) {
            room = oldest_idle(&address);
            if (!room) {
                if (mine == 0) per_address_.erase(address);
                return place;  // one address may not take the reserve either
            }
        } else if (live >= limits.total) {
            room = oldest_idle(nullptr);
            if (!room && live >= limits.total + limits.reserve) {
                if (mine == 0) per_address_.erase(address);
                return place;
            }
            place.reserve = !room;
        }
        if (room) {
            room->evicting = true;
            ++evicting_;
            ++evicted_;
            victim = room->session.lock();
        }
        place.id = next_id_++;
        sessions_.emplace(place.id, Entry{std::move(s), address, false, false, {}});
        ++mine;
    }
    if (victim) victim->evict();  // outside the lock: it posts to its own strand
    return place;
}

void SessionRegistry::remove(std::size_t id) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    if (it->second.evicting) --evicting_;
    if (auto a = per_address_.find(it->second.address); a != per_address_.end() && --a->second == 0) per_address_.erase(a);
    sessions_.erase(it);
}

void SessionRegistry::attach(std::size_t id, std::weak_ptr<Closable> s) {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(id); it != sessions_.end()) it->second.session = std::move(s);
}

void SessionRegistry::set_idle(std::size_t id, bool idle) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.idle == idle) return;
    it->second.idle = idle;
    if (idle) it->second.idle_since = std::chrono::steady_clock::now();
}

std::size_t SessionRegistry::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

std::size_t SessionRegistry::evicted() const {
    std::lock_guard lock(mutex_);
    return evicted_;
}

void SessionRegistry::close_all() {
    // Hold the lock only to copy the list (chat-multi's rule).
    std::vector<std::shared_ptr<Closable>> live;
    {
        std::lock_guard lock(mutex_);
        live.reserve(sessions_.size());
        for (auto& [id, e] : sessions_)
            if (auto s = e.session.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->close_gracefully();
}

}  // namespace declared::net
