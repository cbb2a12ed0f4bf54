// intake-samplegen: writes the sample batch (scans plus truth.jsonl) deterministically, or a
// scan corpus of many batches under a degradation profile (docs/corpus.md).
// Usage: intake-samplegen --out DIR [--seed N]
//        intake-samplegen --dispatch --out DIR [--seed N]   (outbound results of batch 01)
//        intake-samplegen --corpus --out DIR [--profile clean|standard|hard] [--pages N] [--seed N] [--jobs N]
#include "batch.h"
#include "corpus.h"

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

namespace {

const char* kUsage = "usage: intake-samplegen --out DIR [--seed N]\n"
                     "       intake-samplegen --dispatch --out DIR [--seed N]\n"
                     "       intake-samplegen --corpus --out DIR [--profile clean|standard|hard] [--pages N] [--seed N] [--jobs N]\n";

bool parseUnsigned(const char* s, unsigned long max, unsigned long& v)
{
    try {
        std::size_t used = 0;
        const std::string str = s;
        if (str.empty() || str[0] == '-')
            return false;
        v = std::stoul(str, &used);
        return used == str.size() && v <= max;
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::string out;
    std::uint32_t seed = 1;
    bool corpus = false, dispatch = false;
    samplegen::CorpusOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        unsigned long v = 0;
        if (arg == "--out" && i + 1 < argc) {
            out = argv[++i];
        } else if (arg == "--seed" && i + 1 < argc) {
            if (!parseUnsigned(argv[++i], UINT32_MAX, v)) {
                std::cerr << "intake-samplegen: --seed needs an integer in [0, 4294967295]\n";
                return 2;
            }
            seed = static_cast<std::uint32_t>(v);
        } else if (arg == "--dispatch") {
            dispatch = true;
        } else if (arg == "--corpus") {
            corpus = true;
        } else if (arg == "--dry-run") {
            options.dryRun = true;
        } else if (arg == "--profile" && i + 1 < argc) {
            options.profile = argv[++i];
            if (options.profile != "clean" && options.profile != "standard" && options.profile != "hard") {
                std::cerr << "intake-samplegen: --profile is clean, standard or hard\n";
                return 2;
            }
        } else if (arg == "--pages" && i + 1 < argc) {
            if (!parseUnsigned(argv[++i], 100000, v) || v < 1) {
                std::cerr << "intake-samplegen: --pages needs an integer in [1, 100000]\n";
                return 2;
            }
            options.pages = static_cast<int>(v);
        } else if (arg == "--jobs" && i + 1 < argc) {
            if (!parseUnsigned(argv[++i], 256, v)) {
                std::cerr << "intake-samplegen: --jobs needs an integer in [0, 256]\n";
                return 2;
            }
            options.jobs = static_cast<int>(v);
        } else {
            std::cerr << kUsage;
            return 2;
        }
    }
    if (out.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    try {
        if (corpus) {
            options.seed = seed;
            samplegen::writeCorpus(out, options);
        } else if (dispatch) {
            samplegen::writeDispatch01(out, seed);
        } else {
            samplegen::writeBatch01(out, seed);
        }
    } catch (const std::exception& e) {
        std::cerr << "intake-samplegen: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
