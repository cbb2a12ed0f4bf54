// Test support: renders Vietnamese text lines onto a white page with a real font (FreeType,
// DejaVu Sans), so stage tests run on real images rather than fixtures nobody can regenerate.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace intake::testing {

// Lines top to bottom at `font_px`, left margin 120 px, on a width x height white page.
cv::Mat render_page(const std::vector<std::string>& lines, int font_px = 34, int width = 1654, int height = 2339);
// Appends a dotted leader (spaced '.' characters) to each line up to the right margin.
cv::Mat render_form(const std::vector<std::string>& lines, int font_px = 34, int width = 1654, int height = 2339);

}  // namespace intake::testing
