// OCR stage: Tesseract (LSTM, `vie` by default) on the upright working image.
//
// One TessBaseAPI per worker thread, loaded once in make_state (set OMP_THREAD_LIMIT=1 so each
// engine stays on its thread). Dotted leaders are erased first (stages/dot_leaders.h). Output:
// the page text in Unicode NFC, word boxes with confidences, and the mean word confidence.
// A page preprocess found blank (little ink) is read by its ink alone (show-through made paper,
// cheap); it stays blank unless that reading has confident words. A page that reads poorly (mean
// word confidence under 80, few words, or sideways) is read again with its background flattened
// (low contrast, dark borders), then gets Tesseract OSD and is read again turned; an unsure OSD
// also has it read upside down. The better reading wins and sets the working image, rotation
// (and, for 90/270, the skew measured anew).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/stage.h"

namespace intake {

// The `stages.ocr` section.
struct OcrConfig {
  std::string languages = "vie";
  std::string tessdata;                      // empty: Tesseract's default
  bool remove_dot_leaders = true;            // erase "......" leaders before OCR
  int dpi = 0;                               // 0: estimate from the page size (A4)
  bool flatten_background = true;            // a poor reading is read again with the paper evened out
  bool check_orientation = true;             // a poor reading gets OSD and is read again turned
  double verify_orientation_ocr_below = 80;  // a reading is poor under this mean word confidence
  double min_orientation_confidence = 1.5;   // OSD's turn is tried from this confidence on
  double verify_orientation_below = 5.0;     // under this OSD confidence a poor page is also read upside down
};

class OcrStage : public Stage {
 public:
  explicit OcrStage(OcrConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return "ocr"; }
  std::unique_ptr<WorkerState> make_state() const override;
  void process(PageItem& page, WorkerState* state) const override;

 private:
  OcrConfig config_;
};

// Tesseract's text made tidy: trailing spaces go, runs of empty lines become one, and lines with
// neither a letter nor a digit (a signature, a rule read as "_—__—") go.
std::string tidy_ocr_text(const std::string& text);

// Blocks side by side that Tesseract read row by row ("Bên nữ Bên nam" / "(Ký, ghi rõ họ tên)
// (Ký, ghi rõ họ tên)" / "Huỳnh Quỳnh Giang Quách Chí Long": a form's two signature columns, a
// sender block beside the stamp) in column order: the left block's lines, then the right one's.
// A band is three or more lines cut by a gap wider than four word heights at the same place, with
// at most one one-sided line between two of them (two fields on a row, "Năm sinh: 2002   Dân tộc:
// Kinh", stay rows). Returns the page text rebuilt from `words` (one line per OCR
// line, single spaces) when there is such a band, else nullopt (Tesseract's text stands).
std::optional<std::string> column_ordered_text(const std::vector<Word>& words);

}  // namespace intake
