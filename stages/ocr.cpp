#include "stages/ocr.h"

#include <chrono>
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
#include "stages/preprocess.h"

namespace intake {
namespace {

struct TesseractState : WorkerState {
  tesseract::TessBaseAPI api;
  std::unique_ptr<tesseract::TessBaseAPI> osd;  // when check_orientation
};

}  // namespace

// Trailing spaces go, runs of empty lines become one, and lines with neither a letter nor a
// digit (a signature, a rule read as "_—__—") go.
std::string tidy_ocr_text(const std::string& s) {
  std::string out, line;
  int empty_run = 0;
  auto flush = [&] {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (!line.empty() && !text::has_alnum(line)) {  // gone without a trace, not an empty line
      line.clear();
      return;
    }
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

std::unique_ptr<WorkerState> OcrStage::make_state() const {
  auto state = std::make_unique<TesseractState>();
  std::unique_lock lock(tesseract_setup_mutex());
  if (state->api.Init(config_.tessdata.empty() ? nullptr : config_.tessdata.c_str(), config_.languages.c_str(),
                      tesseract::OEM_LSTM_ONLY) != 0)
    throw std::runtime_error("cannot load Tesseract models '" + config_.languages +
                             "' (packages tesseract-ocr-vie, tesseract-ocr-eng)");
  state->api.SetPageSegMode(tesseract::PSM_AUTO);
  state->api.SetVariable("debug_file", "/dev/null");
  // Tesseract 5 reads every doubtful line a second time as white-on-black text. Scanned forms
  // have none (preprocess has made the page dark on light), and the re-reads cost 7-10% of the
  // recognition time.
  state->api.SetVariable("tessedit_do_invert", "0");
  lock.unlock();  // init_osd takes it again
  if (config_.check_orientation) {
    state->osd = std::make_unique<tesseract::TessBaseAPI>();
    init_osd(*state->osd, config_.tessdata);
  }
  return state;
}

std::optional<std::string> column_ordered_text(const std::vector<Word>& words) {
  constexpr int kTableRow = -2;
  struct Line {
    std::vector<const Word*> words;  // left to right
    int split = -1;                  // index of the first word right of the gap; -1: none, kTableRow
    int gap_from = 0, gap_to = 0;    // the gap's x extent
    int left = 0, right = 0;         // x extent of the line
  };
  std::vector<Line> lines;
  for (const auto& w : words) {
    if (lines.empty() || w.line != lines.back().words.front()->line) lines.emplace_back();
    lines.back().words.push_back(&w);
  }
  for (auto& l : lines) {
    std::sort(l.words.begin(), l.words.end(), [](const Word* a, const Word* b) { return a->x < b->x; });
    std::vector<int> heights;
    for (const Word* w : l.words) heights.push_back(w->h);
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    const int min_gap = 4 * std::max(1, heights[heights.size() / 2]);
    l.left = l.words.front()->x;
    l.right = 0;
    for (const Word* w : l.words) l.right = std::max(l.right, w->x + w->w);
    int gaps = 0;
    for (std::size_t i = 1; i < l.words.size(); ++i) {
      const int gap = l.words[i]->x - (l.words[i - 1]->x + l.words[i - 1]->w);
      if (gap <= min_gap) continue;
      ++gaps;
      l.split = static_cast<int>(i);
      l.gap_from = l.words[i - 1]->x + l.words[i - 1]->w;
      l.gap_to = l.words[i]->x;
    }
    if (gaps > 1) l.split = kTableRow;  // three cells or more: a table, read row by row
  }
  auto join = [](auto begin, auto end) {
    std::string s;
    for (auto it = begin; it != end; ++it) s += (s.empty() ? "" : " ") + (*it)->text;
    return s;
  };
  std::string out;
  bool reordered = false;
  for (std::size_t i = 0; i < lines.size();) {
    // A band starts at a cut line and runs over lines cut at the same place or lying on one
    // side of it; it ends at its last cut line.
    std::size_t last_cut = i, j = i + 1;
    int cuts = 1;
    if (lines[i].split >= 0) {
      int from = lines[i].gap_from, to = lines[i].gap_to;
      for (; j < lines.size(); ++j) {
        const Line& l = lines[j];
        if (l.split >= 0 && l.gap_from < to && l.gap_to > from) {
          from = std::max(from, l.gap_from), to = std::min(to, l.gap_to);
          last_cut = j, ++cuts;
        } else if (l.split == -1 && (l.right <= to || l.left >= from) && j - last_cut < 2) {
          continue;  // one line on one side (a signature) may come between cut lines
        } else {
          break;
        }
      }
    }
    if (lines[i].split < 0 || cuts < 3) {
      out += join(lines[i].words.begin(), lines[i].words.end()) + "\n";
      ++i;
      continue;
    }
    const int middle = (lines[i].gap_from + lines[i].gap_to) / 2;
    std::string left, right;
    for (std::size_t k = i; k <= last_cut; ++k) {
      const Line& l = lines[k];
      const auto cut = l.split >= 0 ? l.words.begin() + l.split
                                    : (l.left >= middle ? l.words.begin() : l.words.end());
      if (cut != l.words.begin()) left += join(l.words.begin(), cut) + "\n";
      if (cut != l.words.end()) right += join(cut, l.words.end()) + "\n";
    }
    out += left + right;
    reordered = true;
    i = last_cut + 1;
  }
  if (!reordered) return std::nullopt;
  return out;
}

namespace {

struct Reading {
  std::string text;
  std::vector<Word> words;
  std::optional<double> confidence;
  int sideways_words = 0;  // in blocks Tesseract's layout analysis found turned (vertical text)
};

// Text, not specks: a reading confident as a whole, with two words or more of three letters or
// digits each read with confidence. A blank back's dust reads as nothing, and the front's text
// showing through it as garbage that Tesseract itself doubts (mean confidence ~35), with now and
// then a "word" it is sure of.
bool has_text(const Reading& r) {
  if (!r.confidence || *r.confidence < 60) return false;
  int words = 0;
  for (const auto& w : r.words) {
    if (w.confidence < 70) continue;
    int letters = 0;
    for (unsigned char c : w.text)
      if (std::isalnum(c) || c >= 0xC0) ++letters;  // an ASCII letter or digit, or a UTF-8 lead byte
    if (letters >= 3) ++words;
  }
  return words >= 2;
}

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
  r.text = text::nfc(tidy_ocr_text(utf8 ? utf8.get() : ""));
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
      tesseract::Orientation orientation = tesseract::ORIENTATION_PAGE_UP;
      tesseract::WritingDirection direction;
      tesseract::TextlineOrder order;
      float deskew = 0;
      it->Orientation(&orientation, &direction, &order, &deskew);
      // A word of several letters that stands taller than wide lies on its side.
      const bool tall = (y2 - y1) > (x2 - x1) && std::string_view(word.get()).size() >= 4;
      if (orientation != tesseract::ORIENTATION_PAGE_UP || tall) ++r.sideways_words;
      r.words.push_back({text::nfc(word.get()), conf, x1, y1, x2 - x1, y2 - y1, std::max(line, 0)});
      conf_sum += conf;
    } while (it->Next(tesseract::RIL_WORD));
  }
  if (!r.words.empty()) r.confidence = std::round(conf_sum / r.words.size() * 10) / 10;
  if (auto columns = column_ordered_text(r.words)) r.text = text::nfc(tidy_ocr_text(*columns));
  api.Clear();
  return r;
}

// How convincing a reading is: confident words, weighted by how many there are.
double quality(const Reading& r) {
  return r.confidence ? *r.confidence * std::log1p(static_cast<double>(r.words.size())) : 0.0;
}

}  // namespace

// Barcode positions follow the page when it is turned clockwise by `rotation` (the small
// deskew that may follow is not applied to them: positions are for display).
void turn_positions(PageItem& page, int rotation) {
  const int w = page.work.cols, h = page.work.rows;
  for (auto& b : page.barcodes)
    for (std::size_t i = 0; i + 1 < b.position.size(); i += 2) {
      const int x = b.position[i], y = b.position[i + 1];
      if (rotation == 90) b.position[i] = h - 1 - y, b.position[i + 1] = x;
      else if (rotation == 180) b.position[i] = w - 1 - x, b.position[i + 1] = h - 1 - y;
      else if (rotation == 270) b.position[i] = y, b.position[i + 1] = w - 1 - x;
    }
}

void OcrStage::process(PageItem& page, WorkerState* state) const {
  page.ocr_done = true;
  if (page.work.empty()) return;
  auto& tess = static_cast<TesseractState&>(*state);

  auto clean = [&](const cv::Mat& m) { return config_.remove_dot_leaders ? remove_dot_leaders(m).cleaned : m; };
  auto read = [&](const cv::Mat& m, const char* what) {
    const auto start = std::chrono::steady_clock::now();
    Reading r = recognize(tess.api, clean(m), config_.dpi);
    spdlog::debug(
        "page {}: {} read {}x{} in {} ms, {} words, confidence {}", page.number, what, m.cols, m.rows,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count(),
        r.words.size(), r.confidence.value_or(-1));
    return r;
  };
  // Little ink is not nothing: one short line of text ("This is a document on page 3") makes a
  // page. It is blank only when a reading of its ink alone has no confident word either. The
  // show-through of a blank back is not ink, and read with it a page costs several seconds of
  // layout analysis on garbage; without it, a few milliseconds.
  // (A page without a measured threshold, from an older ledger, is probed whole, and that
  // reading is kept; one read by its ink alone is read again whole, faint ink and all.)
  std::optional<Reading> first;
  if (page.blank) {
    const bool by_ink = page.ink_threshold >= 0;
    Reading probe = by_ink ? read(ink_only(page.work, page.ink_threshold), "ink") : read(page.work, "first");
    if (!has_text(probe)) return;
    page.blank = false;
    if (!by_ink) first = std::move(probe);
  }
  Reading reading = first ? std::move(*first) : read(page.work, "first");
  auto sideways = [](const Reading& r) { return r.sideways_words * 2 > static_cast<int>(r.words.size()); };
  auto poor = [&](const Reading& r) {
    return !r.confidence || *r.confidence < config_.verify_orientation_ocr_below || r.words.size() < 8 || sideways(r);
  };
  // Takes `other`, read from the page turned clockwise by `rotation` (then straightened by
  // `skew`), when it reads clearly better; Tesseract can read a sideways page, and then the
  // upright reading wins unless clearly worse.
  auto take_if_better = [&](Reading&& other, int rotation, const cv::Mat& turned, double skew) {
    const double margin = sideways(reading) && !sideways(other) ? 0.8 : 1.1;
    if (quality(other) <= quality(reading) * margin) return false;
    reading = std::move(other);
    turn_positions(page, rotation);
    page.rotation = (page.rotation + rotation) % 360;
    if (rotation != 180) page.skew_deg = skew;
    page.work = turned;
    spdlog::debug("page {}: turned {} degrees by OCR (OSD confidence {:.2f})", page.number, rotation,
                  page.orientation_confidence);
    return true;
  };

  // Grey print on grey paper, uneven light or a dark scanner border defeat Tesseract's global
  // threshold: the page reads as almost nothing. Such a page is read again with its paper evened
  // out, and the turns below start from that image when it read better.
  auto flatten = [&] {
    if (!config_.flatten_background || !poor(reading)) return;
    cv::Mat flat = flatten_background(page.work);
    take_if_better(read(flat, "flattened"), 0, flat, page.skew_deg);
  };
  // Orientation matters only for pages that read poorly: an upside-down page never reads well,
  // and Tesseract reads a sideways one as vertical text (tall word boxes). Such a page gets OSD
  // (unless preprocess ran it) and is read again turned.
  auto orient = [&] {
    if (!config_.check_orientation || !tess.osd || page.orientation_checked || !poor(reading)) return;
    const Orientation o = detect_orientation(*tess.osd, page.work);
    page.orientation_checked = true;
    page.orientation_confidence = o.confidence;
    if (o.rotation == 0 || o.confidence < config_.min_orientation_confidence) return;
    cv::Mat turned = turn_clockwise(page.work, o.rotation);
    double skew = page.skew_deg;
    if (o.rotation != 180) {  // the skew measured sideways meant nothing
      skew = estimate_skew_deg(turned, 15);
      turned = rotate_deg(turned, skew);
    }
    take_if_better(read(turned, "turned"), o.rotation, turned, skew);
  };
  // Which first: a turned page reads as many words Tesseract doubts (upside down) or as vertical
  // text, a faint one as few words. The other remedy follows when the page still reads poorly:
  // the likelier one first saves a full reading of the page that the other would have cost.
  constexpr std::size_t kManyWords = 20;
  const bool looks_turned = sideways(reading) || (reading.words.size() >= kManyWords && reading.confidence &&
                                                  *reading.confidence < config_.verify_orientation_ocr_below);
  if (looks_turned) {
    orient();
    flatten();
  } else {
    flatten();
    orient();
  }
  // OSD's usual mistake, and its silence on pages with little text (ID card copies, envelopes),
  // is upside down: a page still reading poorly while OSD was unsure is read turned over too.
  if (page.orientation_checked && page.orientation_confidence < config_.verify_orientation_below && poor(reading)) {
    cv::Mat flipped = turn_clockwise(page.work, 180);
    take_if_better(read(flipped, "flipped"), 180, flipped, page.skew_deg);
  }
  page.text = std::move(reading.text);
  page.words = std::move(reading.words);
  page.ocr_confidence = reading.confidence;
}

}  // namespace intake
