// Scan conditions of the corpus profiles (clean, standard, hard) and their application to a
// painted page: paper effects (folds, stains), the sheet fed turned by 90/180/270 degrees and
// skewed, scanner effects (uneven light, contrast, blur, sensor noise), colour / grey / black
// and white output. Everything random comes from the parameters (and their own seed), so a page
// can be degraded in any thread with the same result.
#pragma once

#include "output.h"
#include "rng.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>

namespace samplegen::corpus {

enum class Profile { Clean, Standard, Hard };
Profile parseProfile(const std::string& name); // throws std::invalid_argument
std::string profileName(Profile p);

// Settings of one scanner job (one output file).
struct FileSettings {
    FileFormat format = FileFormat::Png;
    int dpi = 300;
    std::string mode = "grey"; // grey, colour, bw
    int quality = 0;           // JPEG quality (JPEG, PDF) or WebP quality; 0 for lossless
    bool backgroundRemoval = false; // the scanner stretches the paper's level to white (clipping)
};

// What happens to one page.
struct PageScan {
    int rotation = 0;        // clockwise turn that makes the page upright: 0, 90, 180, 270
    double skewDeg = 0;      // counter-clockwise turn of the sheet, after the rotation
    double noiseSigma = 2;   // grey levels
    int grain = 1;           // noise cell in pixels (lossless files use coarser grain, as batch-01)
    double blurSigma = 0;    // pixels at the page's resolution
    int inkFloor = 0;        // contrast: black maps to this level ...
    int paperCeil = 255;     // ... and white to this one
    double unevenLight = 0;  // largest relative darkening of the lamp falloff / page shadow
    int folds = 0;           // crease lines across the sheet
    int stains = 0;          // coffee rings and blotches
    int border = 255;        // scanner background showing round a skewed sheet
    double bwFraction = 0;   // black-and-white mode: threshold between ink (0) and paper (1) levels
    int whiteMargin = 0;     // background removal: white point = paper level - this
    // measured while scanning (applyScan fills them in)
    int bwThreshold = 0;     // the grey level used as threshold
    int whiteLevel = 0;      // the grey level stretched to white
    std::uint32_t seed = 0;  // for noise, stains, light field
};

// Draws the resolution a dossier is scanned at, a scanner job's settings and a page's
// conditions for the profile.
int sampleDpi(Profile p, Rng& rng);
FileSettings sampleFile(Profile p, Rng& rng, bool multiPage, bool envelope, int dpi);
PageScan samplePage(Profile p, const FileSettings& f, Rng& rng, bool allowRotation);

// The scanned page: 8-bit grey (grey, bw) or BGR (colour). Records the levels it measured in s.
cv::Mat applyScan(const cv::Mat& bgr, PageScan& s, const FileSettings& f);

// Manifest entry of the conditions: flat keys for grouping, "applied" with the exact values.
nlohmann::ordered_json describe(const PageScan& s, const FileSettings& f, const cv::Size& pixels);

} // namespace samplegen::corpus
