#pragma once
// Awaiting a condition in a test: poll it until it holds or the bound passes.
// Every wait in a test is bounded, and none is a fixed sleep.
#include <chrono>
#include <functional>
#include <thread>

namespace declared::testing {

inline bool wait_for(const std::function<bool()>& ok, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return ok();
}

}  // namespace declared::testing
