#include "stages/ocr.h"

#include <cmath>
#include <memory>
#include <stdexcept>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include "pipeline/text.h"
#include "stages/dot_leaders.h"
#include "stages/pix.h"

namespace intake {
namespace {

struct TesseractState : WorkerState {
  tesseract::TessBaseAPI api;
};

// Trailing spaces go, runs of empty lines become one.
std::string tidy(const std::string& s) {
  std::string out, line;
  int empty_run = 0;
  auto flush = [&] {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty()) {
      if (++empty_run == 1 && !out.empty()) out += '\n';
    } else {
      empty_run = 0;
      out += line + '\n';
    }
    line.clear();
  };
  for (char c : s) {
    if (c == '\n') flush();
    else line += c;
  }
  flush();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

std::unique_ptr<WorkerState> OcrStage::make_state() const {
  auto state = std::make_unique<TesseractState>();
  if (state->api.Init(config_.tessdata.empty() ? nullptr : config_.tessdata.c_str(), config_.languages.c_str(),
                      tesseract::OEM_LSTM_ONLY) != 0)
    throw std::runtime_error("cannot load Tesseract models '" + config_.languages +
                             "' (packages tesseract-ocr-vie, tesseract-ocr-eng)");
  state->api.SetPageSegMode(tesseract::PSM_AUTO);
  state->api.SetVariable("debug_file", "/dev/null");
  return state;
}

void OcrStage::process(PageItem& page, WorkerState* state) const {
  page.ocr_done = true;
  if (page.work.empty() || page.blank) return;
  auto& api = static_cast<TesseractState&>(*state).api;

  cv::Mat input = page.work;
  if (config_.remove_dot_leaders) input = remove_dot_leaders(page.work).cleaned;
  PixPtr pix = pix_from_grey(input);
  api.SetImage(pix.get());
  const int dpi = config_.dpi > 0 ? config_.dpi
                                  : std::clamp(static_cast<int>(std::min(input.cols, input.rows) / 8.27), 70, 600);
  api.SetSourceResolution(dpi);
  if (api.Recognize(nullptr) != 0) {
    api.Clear();
    throw std::runtime_error("Tesseract failed to recognise the page");
  }
  std::unique_ptr<char[]> utf8(api.GetUTF8Text());
  page.text = text::nfc(tidy(utf8 ? utf8.get() : ""));

  page.words.clear();
  double conf_sum = 0;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (it) {
    do {
      std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
      if (!word || word[0] == 0) continue;
      int x1, y1, x2, y2;
      it->BoundingBox(tesseract::RIL_WORD, &x1, &y1, &x2, &y2);
      const float conf = it->Confidence(tesseract::RIL_WORD);
      page.words.push_back({text::nfc(word.get()), conf, x1, y1, x2 - x1, y2 - y1});
      conf_sum += conf;
    } while (it->Next(tesseract::RIL_WORD));
  }
  if (!page.words.empty()) page.ocr_confidence = std::round(conf_sum / page.words.size() * 10) / 10;
  api.Clear();
}

}  // namespace intake
