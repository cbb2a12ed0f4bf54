#include "stages/registry.h"

#include <algorithm>

#include "pipeline/dossier/catalog.h"
#include "stages/assemble.h"
#include "stages/barcode.h"
#include "stages/classify.h"
#include "stages/extract.h"
#include "stages/ingest.h"
#include "stages/ocr.h"
#include "stages/preprocess.h"
#include "stages/sections.h"

namespace intake {
namespace {

// The make functions of the built-in page stages, by name; their sections are builtin_sections().
std::unique_ptr<Stage> make_builtin_stage(const std::string& name, const Config& config) {
  if (name == "preprocess")
    return std::make_unique<PreprocessStage>(config.section<PreprocessConfig>("preprocess"),
                                             config.section<OcrConfig>("ocr").tessdata);
  if (name == "barcode") return std::make_unique<BarcodeStage>(config.section<BarcodeConfig>("barcode"));
  if (name == "ocr") return std::make_unique<OcrStage>(config.section<OcrConfig>("ocr"));
  if (name == "classify") {
    const auto& c = config.section<ClassifyConfig>("classify");
    return std::make_unique<ClassifyStage>(c, Catalog::load(config.resolve(c.catalog)),
                                           ClassifyWeights::load(config.resolve(c.weights)));
  }
  if (name == "extract")
    return std::make_unique<ExtractStage>(
        Provinces::load(config.resolve(config.section<ExtractConfig>("extract").provinces)),
        Surnames::load(config.resolve(config.section<ExtractConfig>("extract").surnames)));
  throw std::logic_error("no make function for built-in stage '" + name + "'");
}

StageRegistry make_builtin() {
  StageRegistry r;
  for (const auto& section : builtin_sections()) {
    StageEntry entry{section, {}};
    if (section.page_stage)
      entry.make = [name = section.name](const Config& config) { return make_builtin_stage(name, config); };
    r.add(std::move(entry));
  }
  return r;
}

}  // namespace

const StageRegistry& StageRegistry::builtin() {
  static const StageRegistry registry = make_builtin();
  return registry;
}

StageRegistry& StageRegistry::add(StageEntry entry, const std::string& before) {
  auto at = entries_.end();
  if (!before.empty())
    at = std::find_if(entries_.begin(), entries_.end(),
                      [&](const StageEntry& e) { return e.section.page_stage && e.section.name == before; });
  entries_.insert(at, std::move(entry));
  return *this;
}

std::vector<SectionSpec> StageRegistry::sections() const {
  std::vector<SectionSpec> out;
  for (const auto& e : entries_) out.push_back(e.section);
  return out;
}

std::unique_ptr<Stage> StageRegistry::make(const std::string& name, const Config& config) const {
  std::string known;
  for (const auto& e : entries_) {
    if (!e.section.page_stage) continue;
    if (e.section.name == name) return e.make(config);
    known += (known.empty() ? "" : ", ") + e.section.name;
  }
  throw ConfigError("unknown stage '" + name + "' (known: " + known + ")");
}

}  // namespace intake
