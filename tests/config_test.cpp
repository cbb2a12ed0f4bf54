#include "pipeline/config.h"

#include <fstream>

#include <gtest/gtest.h>

namespace intake {
namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& yaml) {
  const auto dir = std::filesystem::temp_directory_path() / "intake-config-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / name;
  std::ofstream(file) << yaml;
  return file;
}

std::string error_of(const std::string& yaml) {
  try {
    load_config(write_temp("c.yaml", yaml));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Config, ShippedConfigsLoad) {
  const auto root = std::filesystem::path(INTAKE_SOURCE_DIR);
  const Config d = load_config(root / "configs/default.yaml");
  EXPECT_EQ(d.transport.kind, "inproc");
  EXPECT_EQ(d.runtime.at("ocr").workers, 2);
  EXPECT_EQ(d.resolve(d.classify.catalog), root / "models/procedures.yaml");
  const Config t = load_config(root / "configs/tcp.yaml");
  EXPECT_EQ(t.transport.kind, "tcp");
  EXPECT_EQ(t.runtime.at("ocr").processes, 2);
}

TEST(Config, ErrorsNameTheFileAndTheKey) {
  EXPECT_NE(error_of("stages:\n  ocr:\n    wrokers: 2\n").find("'stages.ocr.wrokers' is not a known setting"), std::string::npos);
  EXPECT_NE(error_of("stages:\n  ocr:\n    workers: many\n").find("'stages.ocr.workers' has the wrong type"), std::string::npos);
  EXPECT_NE(error_of("stages:\n  ocr:\n    workers: 0\n").find("stages.ocr.workers"), std::string::npos);
  EXPECT_NE(error_of("transport:\n  kind: udp\n").find("transport.kind"), std::string::npos);
  EXPECT_NE(error_of("transport:\n  kind: tcp\n").find("must be a tcp:// endpoint"), std::string::npos);
  EXPECT_NE(error_of("bogus: 1\n").find("'bogus' is not a known setting"), std::string::npos);
  EXPECT_NE(error_of("stages: [1, 2\n").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_of("x").find("c.yaml"), std::string::npos);
}

}  // namespace intake
