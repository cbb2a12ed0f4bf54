// Deterministic randomness for the sample generator: std::mt19937 (whose output sequence the
// standard fixes) with small integer-based distributions of our own, because the std::
// distributions are implementation-defined and would make the batch depend on the library.
#pragma once

#include <cstdint>
#include <random>

namespace samplegen {

class Rng {
public:
    explicit Rng(std::uint32_t seed) : engine_(seed) {}

    std::uint32_t bits() { return engine_(); }

    // Uniform integer in [lo, hi], by rejection sampling (no modulo bias).
    int uniform(int lo, int hi)
    {
        const std::uint32_t span = static_cast<std::uint32_t>(hi - lo) + 1u;
        const std::uint32_t limit = (UINT32_MAX / span) * span;
        std::uint32_t r = engine_();
        while (r >= limit)
            r = engine_();
        return lo + static_cast<int>(r % span);
    }

    // True with probability percent/100.
    bool chance(int percent) { return uniform(0, 99) < percent; }

    // Approximately standard normal (Irwin-Hall: the sum of the four bytes of one draw,
    // centred and scaled to unit variance); |value| <= 3.45.
    double normal()
    {
        const std::uint32_t r = engine_();
        const int sum = static_cast<int>((r & 0xFFu) + ((r >> 8) & 0xFFu) + ((r >> 16) & 0xFFu) + (r >> 24));
        return (sum - 510) / 147.80; // sd of a sum of 4 uniform bytes: sqrt(4 * (256^2 - 1) / 12)
    }

private:
    std::mt19937 engine_;
};

} // namespace samplegen
