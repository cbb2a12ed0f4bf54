#include "pipeline/config.h"

#include <regex>
#include <set>

#include <yaml-cpp/yaml.h>

namespace intake {
namespace {

// Reads the keys of one YAML mapping into struct fields, remembering which keys it knows, so
// that finish() can reject the ones it does not.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, const std::filesystem::path& file)
      : node_(node), path_(std::move(path)), file_(file) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) fail(path_, "must be a mapping");
  }

  template <typename T>
  Section& get(const std::string& key, T& out) {
    known_.insert(key);
    if (!node_ || node_.IsNull()) return *this;
    const YAML::Node value = node_[key];
    if (!value) return *this;
    try {
      out = value.as<T>();
    } catch (const YAML::Exception&) {
      fail(path_ + "." + key, "has the wrong type");
    }
    return *this;
  }

  YAML::Node child(const std::string& key) {
    known_.insert(key);
    return node_ && node_.IsMap() ? node_[key] : YAML::Node();
  }

  void finish() const {
    if (!node_ || !node_.IsMap()) return;
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar()) fail(path_.empty() ? "(a key)" : path_ + ".(a key)", "is not a plain name");
      const auto key = kv.first.as<std::string>();
      if (!known_.count(key)) fail(path_.empty() ? key : path_ + "." + key, "is not a known setting");
    }
  }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(file_.string() + ": '" + key + "' " + what);
  }

 private:
  YAML::Node node_;
  std::string path_;
  const std::filesystem::path& file_;
  std::set<std::string> known_;
};

void require(bool ok, const std::filesystem::path& file, const std::string& key, const std::string& what) {
  if (!ok) throw ConfigError(file.string() + ": '" + key + "' " + what);
}

}  // namespace

std::filesystem::path Config::resolve(const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p;
  return base_dir / p;
}

Config default_config() {
  Config c;
  for (const auto& name : kPageStages) {
    StageRuntime rt;
    rt.endpoint = "inproc://intake/" + name;
    rt.workers = name == "ocr" ? 2 : 1;
    c.runtime[name] = rt;
  }
  return c;
}

Config load_config(const std::filesystem::path& file) {
  Config c = default_config();
  c.file = file;
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot open config file");
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ": not valid YAML: " + e.what());
  }
  // Relative paths (store, catalog) resolve against the directory the config's project root:
  // configs/ lives one level below it.
  const auto dir = std::filesystem::absolute(file).parent_path();
  c.base_dir = dir.filename() == "configs" ? dir.parent_path() : dir;

  Section top(root, "", file);
  Section(top.child("store"), "store", file)
      .get("path", c.store.path)
      .get("quarantine_dir", c.store.quarantine_dir)
      .finish();
  Section(top.child("transport"), "transport", file)
      .get("kind", c.transport.kind)
      .get("launch", c.transport.launch)
      .get("results", c.transport.results)
      .get("max_in_flight", c.transport.max_in_flight)
      .get("stage_timeout_s", c.transport.stage_timeout_s)
      .get("max_attempts", c.transport.max_attempts)
      .get("keys", c.transport.keys)
      .get("insecure", c.transport.insecure)
      .finish();
  Section(top.child("ingest"), "ingest", file)
      .get("pdf_dpi", c.ingest.pdf_dpi)
      .get("max_file_bytes", c.ingest.max_file_bytes)
      .get("max_pixels", c.ingest.max_pixels)
      .get("max_pages_per_file", c.ingest.max_pages_per_file)
      .get("extensions", c.ingest.extensions)
      .finish();
  Section(top.child("agency"), "agency", file).get("code", c.agency.code).get("name", c.agency.name).finish();
  top.get("calendar", c.calendar);
  Section(top.child("assemble"), "assemble", file)
      .get("min_procedure_confidence", c.assemble.min_procedure_confidence)
      .get("min_ocr_confidence", c.assemble.min_ocr_confidence)
      .finish();

  Section stages(top.child("stages"), "stages", file);
  for (const auto& name : kPageStages) {
    Section s(stages.child(name), "stages." + name, file);
    StageRuntime& rt = c.runtime[name];
    s.get("workers", rt.workers).get("processes", rt.processes).get("endpoint", rt.endpoint);
    if (name == "preprocess") {
      s.get("max_pixels", c.preprocess.max_pixels)
          .get("detect_orientation", c.preprocess.detect_orientation)
          .get("min_orientation_confidence", c.preprocess.min_orientation_confidence)
          .get("max_skew_deg", c.preprocess.max_skew_deg)
          .get("blank_max_ink_ratio", c.preprocess.blank_max_ink_ratio)
          .get("blank_dark_delta", c.preprocess.blank_dark_delta);
    } else if (name == "barcode") {
      s.get("try_harder", c.barcode.try_harder)
          .get("retry_variants", c.barcode.retry_variants)
          .get("sandbox_timeout_ms", c.barcode.sandbox_timeout_ms)
          .get("max_crashes", c.barcode.max_crashes)
          .get("locate_unread", c.barcode.locate_unread)
          .get("sandbox_path", c.barcode.sandbox_path);
    } else if (name == "ocr") {
      s.get("languages", c.ocr.languages)
          .get("tessdata", c.ocr.tessdata)
          .get("remove_dot_leaders", c.ocr.remove_dot_leaders)
          .get("dpi", c.ocr.dpi)
          .get("flatten_background", c.ocr.flatten_background)
          .get("check_orientation", c.ocr.check_orientation)
          .get("min_orientation_confidence", c.ocr.min_orientation_confidence)
          .get("verify_orientation_below", c.ocr.verify_orientation_below)
          .get("verify_orientation_ocr_below", c.ocr.verify_orientation_ocr_below);
    } else if (name == "classify") {
      s.get("separator_text", c.classify.separator_text).get("catalog", c.classify.catalog);
    } else if (name == "extract") {
      s.get("provinces", c.extract.provinces);
    }
    s.finish();
    require(rt.workers >= 1 && rt.workers <= 64, file, "stages." + name + ".workers", "must be 1..64");
    require(rt.processes >= 1 && rt.processes <= 64, file, "stages." + name + ".processes", "must be 1..64");
    require(!rt.endpoint.empty(), file, "stages." + name + ".endpoint", "must not be empty");
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
  for (const auto& name : kPageStages)
    require(c.runtime[name].endpoint.rfind(scheme, 0) == 0, file, "stages." + name + ".endpoint",
            "must be a " + scheme + " endpoint for transport.kind " + t.kind);
  if (t.kind == "tcp" && t.insecure) {
    auto loopback = [](const std::string& ep) {
      return ep.rfind("tcp://127.0.0.1:", 0) == 0 || ep.rfind("tcp://localhost:", 0) == 0;
    };
    require(loopback(t.results), file, "transport.results", "must be on tcp://127.0.0.1 with insecure: true");
    for (const auto& name : kPageStages)
      require(loopback(c.runtime[name].endpoint), file, "stages." + name + ".endpoint",
              "must be on tcp://127.0.0.1 with transport.insecure: true (plain tcp never leaves this machine)");
  }
  require(!(t.kind == "tcp" && !t.insecure && t.launch == "external" && t.keys.empty()), file, "transport.keys",
          "is needed for tcp with launch: external: make a key folder with `intake keys generate DIR` "
          "(or set insecure: true, on 127.0.0.1 only)");
  require(c.ingest.pdf_dpi >= 50 && c.ingest.pdf_dpi <= 1200, file, "ingest.pdf_dpi", "must be 50..1200");
  require(c.ingest.max_pixels >= 1'000'000, file, "ingest.max_pixels", "must be at least 1000000");
  require(c.ingest.max_pages_per_file >= 1, file, "ingest.max_pages_per_file", "must be at least 1");
  require(c.preprocess.max_skew_deg > 0 && c.preprocess.max_skew_deg <= 45, file,
          "stages.preprocess.max_skew_deg", "must be in (0, 45]");
  require(c.preprocess.max_pixels > 0, file, "stages.preprocess.max_pixels", "must be > 0");
  require(c.barcode.max_crashes >= 1, file, "stages.barcode.max_crashes", "must be >= 1");
  static const std::regex agency_code(R"([0-9A-Z]+(\.[0-9A-Z]+)*)");
  require(c.agency.code.size() <= 40 && std::regex_match(c.agency.code, agency_code), file, "agency.code",
          "must be a unit code like 000.00.00.H38 (digits, capitals and dots)");
  require(!c.agency.name.empty(), file, "agency.name", "must not be empty");
  require(!c.calendar.empty(), file, "calendar", "must name the working-day calendar file");
  return c;
}

}  // namespace intake
