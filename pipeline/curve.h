// Curve: a closed wire for the tcp transport, with ZeroMQ CURVE (libsodium) and ZAP.
//
// The coordinator is the CURVE server of every socket it binds; a stage worker is a client. A
// worker must know the coordinator's public key (so it hands pages to no one else), and the
// coordinator accepts a connection only from a worker whose public key it lists: its ZAP handler
// (ZapAuthenticator) refuses every other key, and without the handshake nothing is sent or
// received at all. Plain tcp is refused unless the config says `transport.insecure: true`, and
// then only on 127.0.0.1.
//
// Keys come from a key folder (`intake keys generate DIR`, config `transport.keys: DIR`):
//   coordinator.key, coordinator.secret   the coordinator's pair
//   worker.key, worker.secret             a worker's pair (copy both, with coordinator.key, to
//                                         a worker host)
//   authorized_workers                    worker public keys the coordinator accepts, one a line
// Keys are Z85 text (40 characters); secret files are written 0600. With launch: process and no
// key folder, the coordinator makes a fresh pair for itself and for its children at each run and
// hands theirs over a pipe, never on the command line.
//
// CurveSetup is a plain value; ZapAuthenticator runs one thread and is safe to destroy from the
// thread that made it (before its context).
#pragma once

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include <zmq.hpp>

namespace intake {

struct CurveKeyPair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

struct CurveSetup {
  bool enabled = false;
  CurveKeyPair own;                   // this process's pair
  std::string server_public;          // a worker's: the coordinator's public key
  std::set<std::string> authorized;   // the coordinator's: worker public keys (Z85)
};

CurveKeyPair generate_curve_keys();  // throws std::runtime_error (libzmq without CURVE)

// Writes a key folder (refuses to overwrite one). Throws std::runtime_error.
void write_key_folder(const std::filesystem::path& dir);
// Adds a worker pair NAME.key / NAME.secret to the folder and its key to authorized_workers.
void add_worker_key(const std::filesystem::path& dir, const std::string& name);
// From a key folder. Throw std::runtime_error naming the file that is missing or malformed.
CurveSetup coordinator_curve(const std::filesystem::path& dir);
CurveSetup worker_curve(const std::filesystem::path& dir, const std::string& name = "worker");

// A fresh coordinator pair and one worker pair it authorizes (launch: process without a folder).
struct EphemeralCurve {
  CurveSetup coordinator, worker;
};
EphemeralCurve ephemeral_curve();
// The worker's side as three lines (server public, own public, own secret), for a pipe.
std::string serialize_worker_curve(const CurveSetup& worker);
CurveSetup parse_worker_curve(const std::string& text);  // throws std::runtime_error

// Socket options. Both also set ZMTP heartbeats, so a peer that vanished is noticed.
void make_curve_server(zmq::socket_t& socket, const CurveSetup& curve);
void make_curve_client(zmq::socket_t& socket, const CurveSetup& curve);

// The ZAP handler of a context: accepts CURVE clients whose key is authorized, refuses the rest.
class ZapAuthenticator {
 public:
  ZapAuthenticator(zmq::context_t& context, std::set<std::string> authorized);
  ~ZapAuthenticator();
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;

  int refused() const { return refused_.load(); }

 private:
  void run(zmq::socket_t socket);
  std::set<std::string> authorized_;
  std::atomic<bool> stop_{false};
  std::atomic<int> refused_{0};
  std::thread thread_;
};

}  // namespace intake
