// The stage registry: every page stage, in pipeline order, and every other part of stages/
// with a config section (ingest, assemble), as {name, parse its section, make it}.
//
// Adding a stage touches only stages/ (its class, its config struct, one entry in
// registry.cpp) and its test and doc: the runtime (pipeline/) learns of stages from a config's
// `stages` list, and a config learns of their sections from here. A test can build a registry
// of its own with StageRegistry::add.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/stage.h"
#include "stages/sections.h"

namespace intake {

struct StageEntry {
  SectionSpec section;  // section.page_stage: a step of the page pipeline, in the order added
  // Builds the stage from a loaded config (its own section: config.section<T>(name)); throws
  // ConfigError when its data (a catalog, a model) cannot be loaded. Empty for a section that
  // is not a page stage.
  std::function<std::unique_ptr<Stage>(const Config&)> make;
};

class StageRegistry {
 public:
  // preprocess, barcode, ocr, classify, extract; and the ingest and assemble sections.
  static const StageRegistry& builtin();

  // A page stage is appended to the pipeline, unless `before` names one it goes in front of.
  StageRegistry& add(StageEntry entry, const std::string& before = {});

  std::vector<SectionSpec> sections() const;
  Config defaults() const { return default_config(sections()); }
  Config load(const std::filesystem::path& file) const { return load_config(file, sections()); }
  // Throws ConfigError for a name that is not a registered page stage.
  std::unique_ptr<Stage> make(const std::string& name, const Config& config) const;

 private:
  std::vector<StageEntry> entries_;
};

}  // namespace intake
