#include "pipeline/dossier/catalog.h"

#include <set>

#include <yaml-cpp/yaml.h>

#include "pipeline/error.h"
#include "pipeline/text.h"

namespace intake {

Catalog Catalog::load(const std::filesystem::path& file) {
  Catalog c;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    for (const auto& kv : root["departments"]) c.departments_[kv.first.as<std::string>()] = kv.second.as<std::string>();
    std::set<std::string> ids;
    for (const auto& node : root["procedures"]) {
      Procedure p;
      p.id = node["id"].as<std::string>();
      if (!ids.insert(p.id).second) throw ConfigError(file.string() + ": procedure '" + p.id + "' listed twice");
      if (node["code"] && !node["code"].IsNull()) p.code = node["code"].as<std::string>();
      p.name = text::nfc(node["name"].as<std::string>());
      p.department = node["department"].as<std::string>();
      if (!c.departments_.count(p.department))
        throw ConfigError(file.string() + ": procedure '" + p.id + "' names unknown department '" + p.department + "'");
      p.working_days = node["working_days"].as<int>();
      if (node["required_documents"]) p.required_documents = node["required_documents"].as<std::vector<std::string>>();
      for (const auto& k : node["keywords"])
        p.keywords.push_back({text::fold(k["text"].as<std::string>()), k["weight"].as<double>(1.0)});
      if (p.keywords.empty()) throw ConfigError(file.string() + ": procedure '" + p.id + "' has no keywords");
      c.procedures_.push_back(std::move(p));
    }
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot open procedure catalog");
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ": invalid procedure catalog: " + e.what());
  }
  if (c.procedures_.empty()) throw ConfigError(file.string() + ": catalog lists no procedures");
  return c;
}

const Procedure* Catalog::find(const std::string& id) const {
  for (const auto& p : procedures_)
    if (p.id == id) return &p;
  return nullptr;
}

std::map<std::string, double> Catalog::score(const std::string& page_text) const {
  const std::string folded = text::squeeze(text::fold(page_text));
  std::map<std::string, double> scores;
  for (const auto& p : procedures_) {
    double s = 0;
    for (const auto& k : p.keywords)
      if (folded.find(k.folded) != std::string::npos) s += k.weight;
    if (s > 0) scores[p.id] = s;
  }
  return scores;
}

}  // namespace intake
