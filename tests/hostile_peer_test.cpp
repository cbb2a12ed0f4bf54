// Hostile peers on the tcp transport, against the real binary: while a batch runs with CURVE
// keys, strangers connect to its ports (plain tcp, and CURVE with a key nobody authorized) to take
// pages or push forged results; an authorized worker's key is used to push a forged result, a
// replay, a header nested 300,000 deep and a frame larger than any result. Nothing is accepted:
// the records are those of an undisturbed run, no page goes to a stranger, the coordinator lives
// and its memory stays bounded. Plain tcp off 127.0.0.1 is refused by the config.
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "pipeline/curve.h"
#include "pipeline/page.h"
#include "pipeline/wire.h"
#include "tests/support/run_intake.h"


namespace intake {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::read_jsonl;
using testing::run_intake;

const fs::path kSource = INTAKE_SOURCE_DIR;
const fs::path kBatch = kSource / "samples/batch-01";



std::vector<std::string> run_args(const fs::path& dir, const fs::path& config) {
  return {"run", kBatch.string(), "--config", config.string(), "--store", (dir / "store.db").string(),
          "--out", (dir / "records.jsonl").string(), "--received", "2026-11-27T09:30"};
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A result frame set for page `number` of the batch, as a forger would make it.
std::vector<zmq::message_t> forged_result(const std::string& batch_id, int number, const std::string& token) {
  PageItem p;
  p.batch_id = batch_id;
  p.number = number;
  p.source_file = "scan_1.png";
  p.token = token;
  p.attempt = 1;
  p.fields["applicant"] = {{"full_name", "INJECTED Mallory"}, {"id_number", "001099012345"}};
  return wire::encode({"extract", p});
}

void send_all(zmq::socket_t& s, std::vector<zmq::message_t>& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i)
    s.send(frames[i], (i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) |
                          zmq::send_flags::dontwait);
}

}  // namespace

TEST(HostilePeer, StrangersAndForgeriesOnTheTcpPortsChangeNothing) {
  const auto dir = fresh_dir("hostile");
  // The undisturbed run, in process.
  const auto ref_dir = dir / "reference";
  fs::create_directories(ref_dir);
  const auto ref_run = run_intake(run_args(ref_dir, kSource / "configs/default.yaml"));
  ASSERT_EQ(ref_run.status, 0);
  const auto reference = read_jsonl(ref_dir / "records.jsonl");
  const auto at = ref_run.output.find("batch          ");
  ASSERT_NE(at, std::string::npos);
  const std::string batch_id = ref_run.output.substr(at + 15, 17);  // b + 16 hex: forgeries aim at the real batch

  ASSERT_EQ(run_intake({"keys", "generate", (dir / "keys").string()}).status, 0);
  std::map<std::string, std::string> ep;
  for (const char* s : {"results", "preprocess", "barcode", "ocr", "classify", "extract"})
    ep[s] = "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port());
  const auto config = dir / "tcp.yaml";
  std::ofstream(config) << "transport:\n  kind: tcp\n  launch: external\n  keys: " << (dir / "keys").string()
                        << "\n  results: \"" << ep["results"] << "\"\ncalendar: " << (kSource / "configs/calendar.yaml")
                        << "\nstages:\n"
                        << "  preprocess: {endpoint: \"" << ep["preprocess"] << "\"}\n"
                        << "  barcode: {endpoint: \"" << ep["barcode"] << "\"}\n"
                        << "  ocr: {endpoint: \"" << ep["ocr"] << "\"}\n"
                        << "  classify: {endpoint: \"" << ep["classify"]
                        << "\", catalog: " << (kSource / "models/procedures.yaml")
                        << ", weights: " << (kSource / "models/classify.yaml") << "}\n"
                        << "  extract: {endpoint: \"" << ep["extract"]
                        << "\", provinces: " << (kSource / "models/provinces.yaml")
                        << ", surnames: " << (kSource / "models/surnames.yaml") << "}\n";

  // The attackers connect first (ZeroMQ retries until the coordinator binds).
  zmq::context_t ctx;
  std::vector<zmq::socket_t> thieves;
  const CurveSetup stranger{true, generate_curve_keys(), worker_curve(dir / "keys").server_public, {}};
  for (const char* stage : {"preprocess", "ocr"}) {
    // Workers ask for pages (wire::kReady): so do the thieves.
    zmq::socket_t plain(ctx, zmq::socket_type::dealer);  // plain tcp, no handshake
    plain.set(zmq::sockopt::linger, 0);
    plain.connect(ep[stage]);
    thieves.push_back(std::move(plain));
    zmq::socket_t curved(ctx, zmq::socket_type::dealer);  // CURVE, with a key nobody authorized
    curved.set(zmq::sockopt::linger, 0);
    make_curve_client(curved, stranger);
    curved.connect(ep[stage]);
    thieves.push_back(std::move(curved));
  }
  zmq::socket_t plain_forger(ctx, zmq::socket_type::push);
  plain_forger.set(zmq::sockopt::linger, 0);
  plain_forger.connect(ep["results"]);

  const int coordinator = testing::start_intake(run_args(dir, config), dir / "coordinator.log");
  ASSERT_GT(coordinator, 0);
  std::vector<int> workers;
  for (const char* s : {"preprocess", "barcode", "ocr", "ocr", "classify", "extract"})
    workers.push_back(testing::start_intake({"stage", s, "--config", config.string()},
                            dir / (std::string(s) + "-" + std::to_string(workers.size()) + ".log")));

  // An insider with the authorized worker key forges, replays and floods the results socket.
  zmq::socket_t insider(ctx, zmq::socket_type::push);
  insider.set(zmq::sockopt::linger, 0);
  make_curve_client(insider, worker_curve(dir / "keys"));
  insider.connect(ep["results"]);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (int n = 1; n <= 15; ++n) {
    auto f = forged_result(batch_id, n, "00000000000000000000000000000000");
    send_all(insider, f);
    auto again = forged_result(batch_id, n, "00000000000000000000000000000000");  // and its replay
    send_all(insider, again);
    auto g = forged_result(batch_id, n, "");
    send_all(plain_forger, g);
  }
  {
    auto deep = forged_result(batch_id, 1, "");
    std::string header = deep[1].to_string();
    header.replace(header.find("\"fields\":"), 9, "\"fields\":" + std::string(300000, '[') + std::string(300000, ']') + ",\"x\":");
    deep[1] = zmq::message_t(header);
    send_all(insider, deep);
  }
  // On a connection of its own: the frame over the limit ends its connection, and ZeroMQ drops
  // what that connection delivered and the coordinator had not read yet (the deep header).
  zmq::socket_t flooder(ctx, zmq::socket_type::push);
  flooder.set(zmq::sockopt::linger, 0);
  make_curve_client(flooder, worker_curve(dir / "keys"));
  flooder.connect(ep["results"]);
  {
    auto big = forged_result(batch_id, 2, "");
    big[3] = zmq::message_t(std::size_t{400} << 20);  // 400 MiB: over any result's limit
    send_all(flooder, big);
  }

  // Thieves count what they manage to take while the batch runs.
  std::atomic<int> stolen{0};
  std::atomic<bool> done{false};
  std::thread drain([&] {
    while (!done.load()) {
      for (auto& t : thieves) {
        zmq::message_t m;
        while (t.recv(m, zmq::recv_flags::dontwait)) ++stolen;
        (void)t.send(zmq::message_t(wire::kReady.data(), wire::kReady.size()), zmq::send_flags::dontwait);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const auto exit = testing::wait_for(coordinator);
  const int status = exit.status;
  const long peak_kb = exit.peak_rss_kb;
  done.store(true);
  drain.join();
  for (int pid : workers) ::kill(pid, SIGTERM);
  for (int pid : workers) testing::wait_for(pid);
  const std::string log = read_text(dir / "coordinator.log");
  std::printf("hostile peers: %d message(s) taken by strangers; coordinator exit %d, peak resident %.0f MiB\n", stolen.load(),
              status, peak_kb / 1024.0);
  ASSERT_EQ(status, 0) << log;
  EXPECT_EQ(stolen.load(), 0);
  EXPECT_LT(peak_kb, 1024L * 1024) << "the 400 MiB frame was buffered";
  EXPECT_NE(log.find("its key is not among the authorized workers"), std::string::npos) << log;
  EXPECT_NE(log.find("nested deeper than"), std::string::npos) << log;
  EXPECT_NE(log.find("refused        "), std::string::npos) << log;  // forged and replayed answers counted
  EXPECT_EQ(log.find("INJECTED"), std::string::npos) << log;
  const auto records = read_jsonl(dir / "records.jsonl");
  ASSERT_EQ(records.size(), reference.size());
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(testing::comparable(records[i]), testing::comparable(reference[i])) << i;
}

TEST(HostilePeer, PlainTcpIsRefusedOffLoopbackAndExternalWorkersNeedKeys) {
  const auto dir = fresh_dir("hostile-config");
  auto stages = [](const std::string& host) {
    std::string out = "stages:\n";
    int port = 5571;
    for (const char* s : {"preprocess", "barcode", "ocr", "classify", "extract"})
      out += std::string("  ") + s + ": {endpoint: \"tcp://" + host + ":" + std::to_string(port++) + "\"}\n";
    return out;
  };
  std::ofstream(dir / "open.yaml") << "transport: {kind: tcp, insecure: true, results: \"tcp://0.0.0.0:5570\"}\n"
                                   << stages("0.0.0.0");
  const auto open = run_intake({"run", kBatch.string(), "--config", (dir / "open.yaml").string()});
  EXPECT_EQ(open.status, 1);
  EXPECT_NE(open.output.find("transport.results"), std::string::npos) << open.output;
  std::ofstream(dir / "nokeys.yaml") << "transport: {kind: tcp, launch: external, results: \"tcp://127.0.0.1:5570\"}\n"
                                     << stages("127.0.0.1");
  const auto nokeys = run_intake({"run", kBatch.string(), "--config", (dir / "nokeys.yaml").string()});
  EXPECT_EQ(nokeys.status, 1);
  EXPECT_NE(nokeys.output.find("transport.keys"), std::string::npos) << nokeys.output;
}

}  // namespace intake
