// Barcode stage: every 1D and 2D symbol on the page (ZXing-C++, all formats), with positions.
//
// Decoding runs in a BarcodeSandbox child per worker. Each pass reads 2D symbols with
// ReadBarcodes and linear ones one at a time (ReadBarcodes aborts on linear symbols in 1.4.0).
// Passes: the working image with tryHarder/tryRotate; when that finds nothing, the image at half
// size, the GlobalHistogram binarizer and the inverted image. A pass that crashes the decoder is
// retried with safer settings (single symbol, then no tryHarder); after max_crashes crashes on
// one page the page is quarantined with the decoder's last words. Results are de-duplicated by
// (format, text). A page where no linear symbol decoded is searched for one that did not
// (OpenCV's bar code detector): `unread_barcodes` counts them.
#pragma once

#include <string>

#include "pipeline/stage.h"

namespace intake {

// The `stages.barcode` section.
struct BarcodeConfig {
  bool try_harder = true;          // ZXing tryHarder/tryRotate on the first pass
  bool retry_variants = true;      // rescale, other binarizer, inverted passes
  int sandbox_timeout_ms = 20000;  // a decode taking longer kills the sandbox
  int max_crashes = 3;             // crashes of one page before it is quarantined
  bool locate_unread = true;       // where no linear symbol decoded, look for one that did not
  std::string sandbox_path;        // decoder sandbox executable; empty: next to this program
};

class BarcodeStage : public Stage {
 public:
  explicit BarcodeStage(BarcodeConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return "barcode"; }
  std::unique_ptr<WorkerState> make_state() const override;
  void process(PageItem& page, WorkerState* state) const override;

 private:
  BarcodeConfig config_;
};

}  // namespace intake
