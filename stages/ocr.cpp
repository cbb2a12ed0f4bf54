#include "stages/ocr.h"

#include <cmath>
#include <memory>
#include <optional>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>
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

namespace {

struct Reading {
  std::string text;
  std::vector<Word> words;
  std::optional<double> confidence;
};

Reading recognize(tesseract::TessBaseAPI& api, const cv::Mat& input, int configured_dpi) {
  PixPtr pix = pix_from_grey(input);
  api.SetImage(pix.get());
  const int dpi = configured_dpi > 0 ? configured_dpi
                                     : std::clamp(static_cast<int>(std::min(input.cols, input.rows) / 8.27), 70, 600);
  api.SetSourceResolution(dpi);
  if (api.Recognize(nullptr) != 0) {
    api.Clear();
    throw std::runtime_error("Tesseract failed to recognise the page");
  }
  Reading r;
  std::unique_ptr<char[]> utf8(api.GetUTF8Text());
  r.text = text::nfc(tidy(utf8 ? utf8.get() : ""));
  double conf_sum = 0;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  int line = -1;
  if (it) {
    do {
      if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) ++line;
      std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
      if (!word || word[0] == 0) continue;
      int x1, y1, x2, y2;
      it->BoundingBox(tesseract::RIL_WORD, &x1, &y1, &x2, &y2);
      const float conf = it->Confidence(tesseract::RIL_WORD);
      r.words.push_back({text::nfc(word.get()), conf, x1, y1, x2 - x1, y2 - y1, std::max(line, 0)});
      conf_sum += conf;
    } while (it->Next(tesseract::RIL_WORD));
  }
  if (!r.words.empty()) r.confidence = std::round(conf_sum / r.words.size() * 10) / 10;
  api.Clear();
  return r;
}

// How convincing a reading is: confident words, weighted by how many there are.
double quality(const Reading& r) {
  return r.confidence ? *r.confidence * std::log1p(static_cast<double>(r.words.size())) : 0.0;
}

}  // namespace

void OcrStage::process(PageItem& page, WorkerState* state) const {
  page.ocr_done = true;
  if (page.work.empty() || page.blank) return;
  auto& api = static_cast<TesseractState&>(*state).api;

  auto clean = [&](const cv::Mat& m) { return config_.remove_dot_leaders ? remove_dot_leaders(m).cleaned : m; };
  Reading reading = recognize(api, clean(page.work), config_.dpi);

  // Orientation detection is least sure on pages with little text (ID card copies, envelopes),
  // and its usual mistake is upside down. Such a page that reads poorly is read turned over too,
  // and the better reading wins.
  if (page.orientation_confidence < config_.verify_orientation_below &&
      (!reading.confidence || *reading.confidence < config_.verify_orientation_ocr_below)) {
    cv::Mat flipped;
    cv::rotate(page.work, flipped, cv::ROTATE_180);
    Reading other = recognize(api, clean(flipped), config_.dpi);
    if (quality(other) > quality(reading) * 1.1) {
      reading = std::move(other);
      page.rotation = (page.rotation + 180) % 360;
      for (auto& b : page.barcodes)
        for (std::size_t i = 0; i + 1 < b.position.size(); i += 2) {
          b.position[i] = page.work.cols - 1 - b.position[i];
          b.position[i + 1] = page.work.rows - 1 - b.position[i + 1];
        }
      page.work = flipped;
      spdlog::debug("page {}: turned over by OCR (OSD confidence {:.2f})", page.number, page.orientation_confidence);
    }
  }
  page.text = std::move(reading.text);
  page.words = std::move(reading.words);
  page.ocr_confidence = reading.confidence;
}

}  // namespace intake
