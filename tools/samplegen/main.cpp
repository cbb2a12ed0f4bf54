// intake-samplegen: writes the sample batch (scans plus truth.jsonl) deterministically.
// Usage: intake-samplegen --out DIR [--seed N]
#include "batch.h"

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv)
{
    std::string out;
    std::uint32_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--out" && i + 1 < argc) {
            out = argv[++i];
        } else if (arg == "--seed" && i + 1 < argc) {
            try {
                const unsigned long v = std::stoul(argv[++i]);
                if (v > UINT32_MAX)
                    throw std::out_of_range("seed");
                seed = static_cast<std::uint32_t>(v);
            } catch (const std::exception&) {
                std::cerr << "intake-samplegen: --seed needs an integer in [0, 4294967295]\n";
                return 2;
            }
        } else {
            std::cerr << "usage: intake-samplegen --out DIR [--seed N]\n";
            return 2;
        }
    }
    if (out.empty()) {
        std::cerr << "usage: intake-samplegen --out DIR [--seed N]\n";
        return 2;
    }
    try {
        samplegen::writeBatch01(out, seed);
    } catch (const std::exception& e) {
        std::cerr << "intake-samplegen: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
