// The config sections of intake's own stages (and of ingest and assemble), in pipeline order:
// what a config file may hold, with no stage built. The stage registry (stages/registry.h) adds
// how to make each page stage; tools that only read a config (the fuzz targets, `intake import`)
// need only these.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "pipeline/config.h"

namespace intake {

// The `serve` section: intake serve's web server, hot folder and review desk (pipeline/web/).
struct ServeConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; behind a TLS reverse proxy, keep it on loopback
  std::string tls_cert, tls_key;          // both set: serve HTTPS itself (PEM files)
  std::string hot_folder;                 // a scanner folder to watch; empty: none
  int settle_s = 3;
  std::string marker;               // a folder is complete once it holds this file
  std::string uploads = "uploads";  // where browser uploads land (relative: next to the store)
  long long max_upload_bytes = 512ll << 20;
  int threads = 16;  // HTTP worker threads; live-update streams may hold up to half
  // Behind a reverse proxy on this host: the client's address is the last X-Forwarded-For entry
  // (sign-in throttling, the audit).
  bool trust_forwarded_for = false;
  int lease_minutes = 15;  // an operator's hold on a dossier
  int session_idle_minutes = 30;
  int session_hours = 12;
  // The admin's dry runs score a candidate config on this labelled corpus (intake-samplegen
  // --corpus, or batches with a truth.jsonl); empty: a standard one of dry_run_pages made once
  // beside the store.
  std::string labelled_corpus;
  int dry_run_pages = 24;
  std::vector<std::string> reject_reasons{"Không đọc được (ảnh quét mờ, hỏng)", "Thiếu trang",
                                          "Không thuộc thẩm quyền của xã", "Hồ sơ trùng lặp", "Khác"};
};

const std::vector<SectionSpec>& builtin_sections();

// A config of the built-in sections, from a file or the defaults.
Config load_intake_config(const std::filesystem::path& file);
Config default_intake_config();

// The largest frame a stage worker may send back (a working image and its header), and the
// largest the coordinator sends one (an original scan): ZMQ_MAXMSGSIZE of each socket.
std::size_t result_frame_limit(const Config& config);
std::size_t work_frame_limit(const Config& config);

}  // namespace intake
