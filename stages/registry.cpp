#include "stages/registry.h"

#include "stages/barcode.h"
#include "stages/catalog.h"
#include "stages/classify.h"
#include "stages/extract.h"
#include "stages/ocr.h"
#include "stages/preprocess.h"

namespace intake {

std::unique_ptr<Stage> make_stage(const std::string& name, const Config& config) {
  if (name == "preprocess") return std::make_unique<PreprocessStage>(config.preprocess, config.ocr.tessdata);
  if (name == "barcode") return std::make_unique<BarcodeStage>(config.barcode);
  if (name == "ocr") return std::make_unique<OcrStage>(config.ocr);
  if (name == "classify")
    return std::make_unique<ClassifyStage>(config.classify, Catalog::load(config.resolve(config.classify.catalog)));
  if (name == "extract") return std::make_unique<ExtractStage>(Provinces::load(config.resolve(config.extract.provinces)));
  throw ConfigError("unknown stage '" + name + "' (known: preprocess, barcode, ocr, classify, extract)");
}

}  // namespace intake
