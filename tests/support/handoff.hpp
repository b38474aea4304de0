#pragma once
// Handoff<T>: one value passed from a callback on another thread to the test
// that waits for it, with a bounded wait. A mutex and a condition variable,
// not std::promise: libstdc++'s future waits on a futex inside the library,
// where ThreadSanitizer cannot see the synchronization, so every test that
// waited on one was reported as a data race under scripts/tsan.sh.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace declared::testing {

template <class T>
class Handoff {
public:
    // Notifies under the lock: the waiter, once it has the value, may destroy
    // this at once, and must not while the notification is still running.
    void set(T value) {
        std::lock_guard lock(mutex_);
        value_ = std::move(value);
        cv_.notify_all();
    }
    // True once set() has run, waiting at most timeout.
    bool wait_for(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [this] { return value_.has_value(); });
    }
    // The value; call after wait_for() returned true.
    T take() {
        std::lock_guard lock(mutex_);
        return std::move(*value_);
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<T> value_;
};

// Shared between the callback that sets it and the test that waits.
template <class T>
using SharedHandoff = std::shared_ptr<Handoff<T>>;

}  // namespace declared::testing
