// Config: everything an administrator tunes, loaded once from a YAML file (configs/*.yaml).
//
// Each stage has a plain struct with defaults and a comment per field. load_config() rejects
// unknown keys and bad values with a ConfigError naming the file and the key, so a typo in a
// config never passes silently. A Config is immutable after loading and safe to share.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace intake {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where a stage's workers run and how many.
struct StageRuntime {
  int workers = 1;           // worker threads per process
  int processes = 1;         // tcp + launch=process: how many `intake stage` processes to start
  std::string endpoint;      // where the coordinator hands out this stage's work
};

struct IngestConfig {
  int pdf_dpi = 200;                   // PDF pages are rendered at this resolution
  long long max_file_bytes = 512ll << 20;  // larger files are quarantined unread
  long long max_pixels = 150'000'000;  // a PDF or TIFF page larger than this is refused before it is rendered
  int max_pages_per_file = 2000;       // a PDF or TIFF with more pages is quarantined (a page-count bomb)
  std::vector<std::string> extensions{".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".pdf"};
};

struct PreprocessConfig {
  long long max_pixels = 150'000'000;  // larger images are refused before decoding
  bool detect_orientation = false;     // OSD on every page; off: the ocr stage checks doubtful pages
  double min_orientation_confidence = 1.5;  // below this OSD's answer is not trusted
  double max_skew_deg = 15;            // deskew search range, +/- degrees
  double blank_max_ink_ratio = 0.0015; // share of dark pixels (after cleaning) under which a page is blank
  int blank_dark_delta = 70;           // a pixel is ink when this much darker than the paper
};

struct BarcodeConfig {
  bool try_harder = true;          // ZXing tryHarder/tryRotate on the first pass
  bool retry_variants = true;      // rescale, other binarizer, inverted passes
  int sandbox_timeout_ms = 20000;  // a decode taking longer kills the sandbox
  int max_crashes = 3;             // crashes of one page before it is quarantined
  bool locate_unread = true;       // where no linear symbol decoded, look for one that did not
  std::string sandbox_path;        // decoder sandbox executable; empty: next to this program
};

struct OcrConfig {
  std::string languages = "vie+eng";
  std::string tessdata;            // empty: Tesseract's default
  bool remove_dot_leaders = true;  // erase "......" leaders before OCR
  int dpi = 0;                     // 0: estimate from the page size (A4)
  bool flatten_background = true;            // a poor reading is read again with the paper evened out
  bool check_orientation = true;             // a poor reading gets OSD and is read again turned
  double verify_orientation_ocr_below = 80;  // a reading is poor under this mean word confidence
  double min_orientation_confidence = 1.5;   // OSD's turn is tried from this confidence on
  double verify_orientation_below = 5.0;     // under this OSD confidence a poor page is also read upside down
};

struct ClassifyConfig {
  std::string separator_text = "PATCHT";  // barcode content of a separator sheet
  std::string catalog = "models/procedures.yaml";
};

struct ExtractConfig {
  std::string provinces = "models/provinces.yaml";  // an envelope address must end with one of these
};

struct AssembleConfig {
  double min_procedure_confidence = 0.6;  // below: procedure_uncertain
  double min_ocr_confidence = 60;         // forms below: low_ocr_confidence
};

struct StoreConfig {
  std::string path = "data/intake.db";
  std::string quarantine_dir = "quarantine";  // relative: next to the store file
};

struct TransportConfig {
  std::string kind = "inproc";     // inproc: threads of one process; tcp: separate processes
  std::string launch = "process";  // tcp only: "process" starts `intake stage` children, "external" waits
  std::string results = "inproc://intake/results";  // where workers return pages
  int max_in_flight = 0;           // 0: 2 x all workers
  int stage_timeout_s = 600;       // a page not back from a stage in this time is dispatched again
  int max_attempts = 3;            // failed dispatches of a page (its worker died or stalled) before quarantine
  std::string keys;                // tcp: CURVE key folder (intake keys generate); empty with launch:
                                   // process: fresh keys at each run (pipeline/curve.h)
  bool insecure = false;           // tcp without CURVE: allowed only on 127.0.0.1
};

struct AgencyConfig {
  std::string code = "000.00.00.H38";  // unit code of the receiving body: AGENCY in dossier codes
  std::string name = "UBND xã Tân Phú";  // printed on receipt slips
};

struct Config {
  std::filesystem::path file;      // where it was loaded from (empty: defaults)
  std::filesystem::path base_dir;  // relative paths in the config resolve against this
  TransportConfig transport;
  StoreConfig store;
  IngestConfig ingest;
  PreprocessConfig preprocess;
  BarcodeConfig barcode;
  OcrConfig ocr;
  ClassifyConfig classify;
  ExtractConfig extract;
  AssembleConfig assemble;
  AgencyConfig agency;
  std::string calendar = "configs/calendar.yaml";  // working-day calendar for due dates
  std::map<std::string, StageRuntime> runtime;  // per page stage, see kPageStages

  std::filesystem::path resolve(const std::string& path) const;
};

// The page stages in pipeline order.
inline const std::vector<std::string> kPageStages{"preprocess", "barcode", "ocr", "classify", "extract"};

Config default_config();
Config load_config(const std::filesystem::path& file);  // throws ConfigError

}  // namespace intake
