#pragma once
// The generator's random draws. std::mt19937_64 is specified bit for bit by the
// standard (seeding included), but std:: distributions are not: libstdc++ and
// libc++ turn the same engine output into different numbers. So every draw
// here is integer arithmetic on the engine's raw 64-bit output, and the same
// seed gives the same night on every platform. See docs/generate.md.
#include <cstdint>
#include <random>
#include <span>

namespace declared::generate {

// splitmix64 finaliser: derives independent stream seeds from (seed, stream).
inline std::uint64_t mix64(std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}
    // A generator for stream `stream` of `seed` (e.g. one per council), so a
    // council's draws depend only on the seed and its index.
    static Rng stream(std::uint64_t seed, std::uint64_t stream) { return Rng(mix64(mix64(seed) ^ mix64(stream + 1))); }

    std::uint64_t next() { return engine_(); }

    // Uniform in [0, n), n > 0: rejection sampling, no modulo bias.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // a multiple of n
        std::uint64_t x = engine_();
        while (x >= limit) x = engine_();
        return x % n;
    }
    // Uniform in [lo, hi], inclusive.
    std::int64_t range(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }
    int irange(int lo, int hi) { return static_cast<int>(range(lo, hi)); }
    // True with probability num/den.
    bool chance(std::uint64_t num, std::uint64_t den) { return below(den) < num; }
    bool permille(int p) { return p > 0 && chance(static_cast<std::uint64_t>(p), 1000); }
    // Triangular on [lo, hi] (mean of two uniforms), mode in the middle.
    int triangular(int lo, int hi) {
        const std::int64_t a = range(lo, hi), b = range(lo, hi);
        return static_cast<int>((a + b) / 2);
    }
    // Bell-shaped noise in [-a, a]: mean of three uniforms (sd about a/3).
    int bell(int a) {
        if (a <= 0) return 0;
        const std::int64_t s = range(-a, a) + range(-a, a) + range(-a, a);
        return static_cast<int>(s / 3);
    }
    // Index drawn with the given non-negative integer weights (sum > 0).
    std::size_t weighted(std::span<const int> weights) {
        std::int64_t total = 0;
        for (int w : weights) total += w;
        std::int64_t x = static_cast<std::int64_t>(below(static_cast<std::uint64_t>(total)));
        for (std::size_t i = 0; i < weights.size(); ++i) {
            if (x < weights[i]) return i;
            x -= weights[i];
        }
        return weights.size() - 1;
    }
    // Fisher-Yates with below() (std::shuffle is not portable either).
    template <class T>
    void shuffle(std::span<T> v) {
        for (std::size_t i = v.size(); i > 1; --i) {
            const std::size_t j = static_cast<std::size_t>(below(i));
            std::swap(v[i - 1], v[j]);
        }
    }
    template <class Seq>
    const auto& pick(const Seq& seq) { return seq[static_cast<std::size_t>(below(std::size(seq)))]; }

private:
    std::mt19937_64 engine_;
};

}  // namespace declared::generate
