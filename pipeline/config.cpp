#include "pipeline/config.h"

#include <regex>
#include <set>

#include <yaml-cpp/yaml.h>

namespace intake {
namespace {

void require(bool ok, const std::filesystem::path& file, const std::string& key, const std::string& what) {
  if (!ok) throw ConfigError(file.string() + ": '" + key + "' " + what);
}

}  // namespace

ConfigSection::ConfigSection(const YAML::Node& node, std::string path, std::filesystem::path file)
    : node_(node), path_(std::move(path)), file_(std::move(file)) {
  if (node_ && !node_.IsNull() && !node_.IsMap())
    throw ConfigError(file_.string() + ": '" + path_ + "' must be a mapping");
}

YAML::Node ConfigSection::child(const std::string& key) {
  known_.insert(key);
  return node_ && node_.IsMap() ? node_[key] : YAML::Node();
}

void ConfigSection::finish() const {
  if (!node_ || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) fail("(a key)", "is not a plain name");
    const auto key = kv.first.as<std::string>();
    if (!known_.count(key)) fail(key, "is not a known setting");
  }
}

void ConfigSection::fail(const std::string& key, const std::string& what) const {
  throw ConfigError(file_.string() + ": '" + (path_.empty() ? key : path_ + "." + key) + "' " + what);
}

YAML::Node load_yaml_file(const std::filesystem::path& file, const std::string& what) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot open " + what);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ": not valid YAML: " + e.what());
  }
}

std::filesystem::path Config::resolve(const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p;
  return base_dir / p;
}

namespace {

// Fills c from root (an empty node: the defaults). file names the source in errors.
void read_config(Config& c, const YAML::Node& root, const std::filesystem::path& file,
                 const std::vector<SectionSpec>& specs) {
  c.stages.clear();
  for (const auto& spec : specs)
    if (spec.page_stage) {
      c.stages.push_back(spec.name);
      StageRuntime rt;
      rt.endpoint = "inproc://intake/" + spec.name;
      rt.workers = spec.name == "ocr" ? 2 : 1;
      c.runtime[spec.name] = rt;
    }
  require(!c.stages.empty(), file, "stages", "no page stage is registered");

  ConfigSection top(root, "", file);
  ConfigSection(top.child("store"), "store", file)
      .get("path", c.store.path)
      .get("quarantine_dir", c.store.quarantine_dir)
      .finish();
  ConfigSection(top.child("transport"), "transport", file)
      .get("kind", c.transport.kind)
      .get("launch", c.transport.launch)
      .get("results", c.transport.results)
      .get("max_in_flight", c.transport.max_in_flight)
      .get("stage_timeout_s", c.transport.stage_timeout_s)
      .get("max_attempts", c.transport.max_attempts)
      .get("keys", c.transport.keys)
      .get("insecure", c.transport.insecure)
      .finish();
  ConfigSection(top.child("agency"), "agency", file).get("code", c.agency.code).get("name", c.agency.name).finish();
  top.get("calendar", c.calendar);

  ConfigSection stages(top.child("stages"), "stages", file);
  for (const auto& spec : specs) {
    if (!spec.page_stage) {
      ConfigSection s(top.child(spec.name), spec.name, file);
      c.sections[spec.name] = spec.parse(s);
      s.finish();
      continue;
    }
    ConfigSection s(stages.child(spec.name), "stages." + spec.name, file);
    StageRuntime& rt = c.runtime[spec.name];
    s.get("workers", rt.workers).get("processes", rt.processes).get("endpoint", rt.endpoint);
    c.sections[spec.name] = spec.parse(s);
    s.finish();
    s.require(rt.workers >= 1 && rt.workers <= 64, "workers", "must be 1..64");
    s.require(rt.processes >= 1 && rt.processes <= 64, "processes", "must be 1..64");
    s.require(!rt.endpoint.empty(), "endpoint", "must not be empty");
  }
  stages.finish();
  top.finish();

  const auto& t = c.transport;
  require(t.kind == "inproc" || t.kind == "tcp", file, "transport.kind", "must be 'inproc' or 'tcp'");
  require(t.launch == "process" || t.launch == "external", file, "transport.launch",
          "must be 'process' or 'external'");
  require(t.max_in_flight >= 0, file, "transport.max_in_flight", "must be >= 0");
  require(t.stage_timeout_s >= 1, file, "transport.stage_timeout_s", "must be >= 1");
  require(t.max_attempts >= 1, file, "transport.max_attempts", "must be >= 1");
  const std::string scheme = t.kind + "://";
  require(t.results.rfind(scheme, 0) == 0, file, "transport.results", "must be a " + scheme + " endpoint");
  for (const auto& name : c.stages)
    require(c.runtime[name].endpoint.rfind(scheme, 0) == 0, file, "stages." + name + ".endpoint",
            "must be a " + scheme + " endpoint for transport.kind " + t.kind);
  if (t.kind == "tcp" && t.insecure) {
    auto loopback = [](const std::string& ep) {
      return ep.rfind("tcp://127.0.0.1:", 0) == 0 || ep.rfind("tcp://localhost:", 0) == 0;
    };
    require(loopback(t.results), file, "transport.results", "must be on tcp://127.0.0.1 with insecure: true");
    for (const auto& name : c.stages)
      require(loopback(c.runtime[name].endpoint), file, "stages." + name + ".endpoint",
              "must be on tcp://127.0.0.1 with transport.insecure: true (plain tcp never leaves this machine)");
  }
  require(!(t.kind == "tcp" && !t.insecure && t.launch == "external" && t.keys.empty()), file, "transport.keys",
          "is needed for tcp with launch: external: make a key folder with `intake keys generate DIR` "
          "(or set insecure: true, on 127.0.0.1 only)");
  static const std::regex agency_code(R"([0-9A-Z]+(\.[0-9A-Z]+)*)");
  require(c.agency.code.size() <= 40 && std::regex_match(c.agency.code, agency_code), file, "agency.code",
          "must be a unit code like 000.00.00.H38 (digits, capitals and dots)");
  require(!c.agency.name.empty(), file, "agency.name", "must not be empty");
  require(!c.calendar.empty(), file, "calendar", "must name the working-day calendar file");
}

}  // namespace

Config default_config(const std::vector<SectionSpec>& sections) {
  Config c;
  read_config(c, YAML::Node(), "(defaults)", sections);
  return c;
}

Config load_config(const std::filesystem::path& file, const std::vector<SectionSpec>& sections) {
  Config c;
  c.file = file;
  const YAML::Node root = load_yaml_file(file, "config file");
  // Relative paths (store, catalog) resolve against the directory the config's project root:
  // configs/ lives one level below it.
  const auto dir = std::filesystem::absolute(file).parent_path();
  c.base_dir = dir.filename() == "configs" ? dir.parent_path() : dir;

  read_config(c, root, file, sections);
  return c;
}

}  // namespace intake
