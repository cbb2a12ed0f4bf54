// PageItem: one scanned page as it travels through the pipeline.
//
// A PageItem carries the page's identity (batch, scan-order number, source file), its image
// (the encoded bytes from ingest, then the upright grey working image from preprocess) and every
// result the stages have added so far. It is a plain value: a stage receives one, fills in its
// part and hands it on. An `error` set by any stage sends the page to quarantine with that
// reason; `flags` are review reasons that do not stop the page.
//
// Not thread-safe; each item is owned by one thread at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace intake {

struct Barcode {
  std::string format;          // ZXing's name: "Code128", "QRCode", ...
  std::string text;            // decoded content, UTF-8
  std::vector<int> position;   // 4 corners x0,y0,...,x3,y3 in working-image pixels
};

struct Word {
  std::string text;
  float confidence = 0;  // 0..100
  int x = 0, y = 0, w = 0, h = 0;
  int line = 0;          // index of the OCR text line the word belongs to
};

// A signal the classifier found on a page and the weight it gave a type ("envelope.sender_label",
// 2): why the page got its type (models/classify.yaml).
struct Evidence {
  std::string signal;
  double weight = 0;
  bool operator==(const Evidence&) const = default;
};

struct PageItem {
  // Identity.
  std::string batch_id;
  int number = 0;            // 1-based scan order over the whole batch
  std::string source_file;   // relative to the batch input
  int source_page = 1;       // 1-based within the file
  std::string content_hash;  // identifies the page's content, for idempotence
  int attempt = 1;           // dispatch attempt, set by the coordinator
  std::string token;         // random id of this dispatch: a result must echo it to be accepted

  // Images. `original` is dropped once preprocess has made `work`.
  std::string original;      // encoded image bytes (PNG, JPEG, TIFF, WebP)
  cv::Mat work;              // CV_8UC1, upright and deskewed

  // preprocess
  int rotation = 0;          // clockwise degrees applied to make the page upright
  double orientation_confidence = 0;
  bool orientation_checked = false;  // OSD has looked at the page (preprocess, or ocr on doubt)
  double skew_deg = 0;
  bool blank = false;        // little ink (preprocess); cleared by a bar code (barcode) or confident text (ocr)
  int ink_threshold = -1;    // of a blank page: grey levels under it are ink (preprocess), -1: not measured
  int width = 0, height = 0; // of the original image
  // barcode
  std::vector<Barcode> barcodes;
  int unread_barcodes = 0;   // linear bar codes located on the page that no decoder could read
  // ocr
  bool ocr_done = false;
  std::string text;          // NFC
  std::optional<double> ocr_confidence;
  std::vector<Word> words;
  // classify
  std::optional<std::string> type;
  double type_confidence = 0;
  std::map<std::string, double> procedure_scores;  // procedure id -> keyword score
  std::vector<Evidence> evidence;                  // the signals behind `type`, in the order found
  // extract: page-level fields (tracking, sender, applicant), see stages/extract.h
  nlohmann::json fields = nlohmann::json::object();

  std::vector<std::string> flags;            // review reasons found on this page
  std::optional<std::string> error;          // set: the page goes to quarantine
  std::map<std::string, double> timings_ms;  // stage name -> processing time

  void flag(std::string reason);
};

// Everything but the images, as JSON (the wire header and the ledger's stored result).
nlohmann::json to_json(const PageItem& page);
// Inverse of to_json; throws nlohmann::json::exception on a malformed document.
PageItem page_from_json(const nlohmann::json& j);

}  // namespace intake
