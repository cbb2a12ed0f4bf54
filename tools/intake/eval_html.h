// The HTML page of an eval report: the summary, the page-type confusion matrix as a heat map,
// OCR error rates per page type and per scan condition as bar charts (inline SVG), and the worst
// pages as thumbnails with what went wrong. Self-contained: one file, no scripts, no downloads.
#pragma once

#include <functional>
#include <string>

#include "tools/intake/eval_score.h"

namespace intake::eval {

// PNG bytes of a thumbnail of a batch page, or empty when it cannot be made.
using Thumbnailer = std::function<std::string(const PageProblem&)>;

std::string to_html(const Report& report, const std::string& title, const Thumbnailer& thumbnail);

}  // namespace intake::eval
