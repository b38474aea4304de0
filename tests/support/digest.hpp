#pragma once
// Test helper: a stable 64-bit digest (FNV-1a) of bytes, printed as 16 hex
// digits, for tests that pin an output to a committed value: a change in any
// byte changes it, on every platform and run.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace declared::testing {

inline std::string digest(std::string_view bytes) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

}  // namespace declared::testing
