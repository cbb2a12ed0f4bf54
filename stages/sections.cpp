#include "stages/sections.h"

#include <algorithm>

#include "pipeline/wire.h"
#include "stages/assemble.h"
#include "stages/barcode.h"
#include "stages/classify.h"
#include "stages/extract.h"
#include "stages/ingest.h"
#include "stages/ocr.h"
#include "stages/preprocess.h"

namespace intake {

const std::vector<SectionSpec>& builtin_sections() {
  static const std::vector<SectionSpec> sections{
      SectionSpec::of<IngestConfig>("ingest", false,
                                    [](ConfigSection& s, IngestConfig& c) {
                                      s.get("pdf_dpi", c.pdf_dpi)
                                          .get("max_file_bytes", c.max_file_bytes)
                                          .get("max_pixels", c.max_pixels)
                                          .get("max_pages_per_file", c.max_pages_per_file)
                                          .get("extensions", c.extensions);
                                      s.require(c.pdf_dpi >= 50 && c.pdf_dpi <= 1200, "pdf_dpi", "must be 50..1200");
                                      s.require(c.max_pixels >= 1'000'000, "max_pixels", "must be at least 1000000");
                                      s.require(c.max_pages_per_file >= 1, "max_pages_per_file", "must be at least 1");
                                    }),
      SectionSpec::of<ServeConfig>(
          "serve", false,
          [](ConfigSection& s, ServeConfig& c) {
            s.get("listen", c.listen)
                .get("tls_cert", c.tls_cert)
                .get("tls_key", c.tls_key)
                .get("hot_folder", c.hot_folder)
                .get("settle_s", c.settle_s)
                .get("marker", c.marker)
                .get("uploads", c.uploads)
                .get("max_upload_bytes", c.max_upload_bytes)
                .get("threads", c.threads)
                .get("trust_forwarded_for", c.trust_forwarded_for)
                .get("lease_minutes", c.lease_minutes)
                .get("session_idle_minutes", c.session_idle_minutes)
                .get("session_hours", c.session_hours)
                .get("reject_reasons", c.reject_reasons)
                .get("labelled_corpus", c.labelled_corpus)
                .get("dry_run_pages", c.dry_run_pages);
            const auto colon = c.listen.rfind(':');
            s.require(colon != std::string::npos && colon > 0 &&
                          c.listen.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
                          colon + 1 < c.listen.size(),
                      "listen", "must be HOST:PORT");
            s.require(c.tls_cert.empty() == c.tls_key.empty(), "tls_cert", "tls_cert and tls_key go together");
            s.require(c.settle_s >= 0, "settle_s", "must be >= 0");
            s.require(c.threads >= 4 && c.threads <= 256, "threads", "must be 4..256");
            s.require(c.lease_minutes >= 1, "lease_minutes", "must be at least 1");
            s.require(c.session_idle_minutes >= 1, "session_idle_minutes", "must be at least 1");
            s.require(c.session_hours >= 1, "session_hours", "must be at least 1");
            s.require(c.max_upload_bytes >= 1 << 20, "max_upload_bytes", "must be at least 1048576");
            s.require(!c.reject_reasons.empty(), "reject_reasons", "needs at least one reason");
            s.require(c.dry_run_pages >= 4 && c.dry_run_pages <= 2000, "dry_run_pages", "must be 4..2000");
          }),
      SectionSpec::of<AssembleConfig>("assemble", false,
                                      [](ConfigSection& s, AssembleConfig& c) {
                                        std::map<std::string, double> thresholds;
                                        s.get("min_procedure_confidence", c.min_procedure_confidence)
                                            .get("min_ocr_confidence", c.min_ocr_confidence)
                                            .get("field_confidence", thresholds);
                                        const auto& known = evidence_fields();
                                        for (const auto& [key, t] : thresholds) {
                                          s.require(std::find(known.begin(), known.end(), key) != known.end(),
                                                    "field_confidence." + key, "is not a field with evidence");
                                          s.require(t >= 0 && t <= 1, "field_confidence." + key, "must be in [0, 1]");
                                          c.field_confidence[key] = t;
                                        }
                                      }),
      SectionSpec::of<PreprocessConfig>("preprocess", true,
                                        [](ConfigSection& s, PreprocessConfig& c) {
                                          s.get("max_pixels", c.max_pixels)
                                              .get("detect_orientation", c.detect_orientation)
                                              .get("min_orientation_confidence", c.min_orientation_confidence)
                                              .get("max_skew_deg", c.max_skew_deg)
                                              .get("blank_max_ink_ratio", c.blank_max_ink_ratio)
                                              .get("blank_dark_delta", c.blank_dark_delta);
                                          s.require(c.max_skew_deg > 0 && c.max_skew_deg <= 45, "max_skew_deg",
                                                    "must be in (0, 45]");
                                          s.require(c.max_pixels > 0, "max_pixels", "must be > 0");
                                        }),
      SectionSpec::of<BarcodeConfig>("barcode", true,
                                     [](ConfigSection& s, BarcodeConfig& c) {
                                       s.get("try_harder", c.try_harder)
                                           .get("retry_variants", c.retry_variants)
                                           .get("sandbox_timeout_ms", c.sandbox_timeout_ms)
                                           .get("max_crashes", c.max_crashes)
                                           .get("locate_unread", c.locate_unread)
                                           .get("sandbox_path", c.sandbox_path);
                                       s.require(c.max_crashes >= 1, "max_crashes", "must be >= 1");
                                     }),
      SectionSpec::of<OcrConfig>("ocr", true,
                                 [](ConfigSection& s, OcrConfig& c) {
                                   s.get("languages", c.languages)
                                       .get("tessdata", c.tessdata)
                                       .get("remove_dot_leaders", c.remove_dot_leaders)
                                       .get("dpi", c.dpi)
                                       .get("flatten_background", c.flatten_background)
                                       .get("check_orientation", c.check_orientation)
                                       .get("min_orientation_confidence", c.min_orientation_confidence)
                                       .get("verify_orientation_below", c.verify_orientation_below)
                                       .get("verify_orientation_ocr_below", c.verify_orientation_ocr_below);
                                 }),
      SectionSpec::of<ClassifyConfig>(
          "classify", true,
          [](ConfigSection& s, ClassifyConfig& c) {
            s.get("separator_text", c.separator_text).get("catalog", c.catalog).get("weights", c.weights);
          }),
      SectionSpec::of<ExtractConfig>(
          "extract", true,
          [](ConfigSection& s, ExtractConfig& c) { s.get("provinces", c.provinces).get("surnames", c.surnames); }),
  };
  return sections;
}

Config load_intake_config(const std::filesystem::path& file) { return load_config(file, builtin_sections()); }
Config default_intake_config() { return default_config(builtin_sections()); }

std::size_t result_frame_limit(const Config& config) {
  const auto pixels =
      static_cast<std::size_t>(std::max<long long>(config.section<PreprocessConfig>("preprocess").max_pixels, 0));
  return std::max(pixels, wire::kMaxHeaderBytes) + (1u << 20);
}

std::size_t work_frame_limit(const Config& config) {
  const auto file =
      static_cast<std::size_t>(std::max<long long>(config.section<IngestConfig>("ingest").max_file_bytes, 0));
  return std::max(file, result_frame_limit(config));
}

}  // namespace intake
