#include "pipeline/curve.h"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace intake {
namespace {

constexpr std::size_t kZ85KeyLength = 40;

std::string read_key(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read key file");
  std::string key;
  std::getline(in, key);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  uint8_t raw[32];
  if (key.size() != kZ85KeyLength || !zmq_z85_decode(raw, key.c_str()))
    throw std::runtime_error(file.string() + ": not a Z85 CURVE key (40 characters)");
  return key;
}

void write_file(const std::filesystem::path& file, const std::string& text, mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error(file.string() + ": cannot create (it may exist already)");
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error(file.string() + ": write failed");
}

void set_heartbeats(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::heartbeat_ivl, 2000);
  socket.set(zmq::sockopt::heartbeat_timeout, 10000);
}

}  // namespace

CurveKeyPair generate_curve_keys() {
  if (!zmq_has("curve")) throw std::runtime_error("this libzmq has no CURVE support");
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) throw std::runtime_error("zmq_curve_keypair failed");
  return {pub, sec};
}

void write_key_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir.string() + ": cannot create: " + ec.message());
  ::chmod(dir.c_str(), 0700);
  const auto coordinator = generate_curve_keys();
  write_file(dir / "coordinator.key", coordinator.public_key + "\n", 0644);
  write_file(dir / "coordinator.secret", coordinator.secret_key + "\n", 0600);
  add_worker_key(dir, "worker");
}

void add_worker_key(const std::filesystem::path& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
    throw std::runtime_error("a worker key name must be a plain file name");
  const auto worker = generate_curve_keys();
  write_file(dir / (name + ".key"), worker.public_key + "\n", 0644);
  write_file(dir / (name + ".secret"), worker.secret_key + "\n", 0600);
  std::ofstream list(dir / "authorized_workers", std::ios::app);
  if (!(list << worker.public_key << "  " << name << "\n"))
    throw std::runtime_error((dir / "authorized_workers").string() + ": write failed");
}

CurveSetup coordinator_curve(const std::filesystem::path& dir) {
  CurveSetup c;
  c.enabled = true;
  c.own = {read_key(dir / "coordinator.key"), read_key(dir / "coordinator.secret")};
  const auto list = dir / "authorized_workers";
  std::ifstream in(list);
  if (!in) throw std::runtime_error(list.string() + ": cannot read the authorized worker keys");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream words(line);
    std::string key;
    if (!(words >> key) || key[0] == '#') continue;
    uint8_t raw[32];
    if (key.size() != kZ85KeyLength || !zmq_z85_decode(raw, key.c_str()))
      throw std::runtime_error(list.string() + ":" + std::to_string(n) + ": not a Z85 CURVE public key");
    c.authorized.insert(key);
  }
  if (c.authorized.empty()) throw std::runtime_error(list.string() + ": lists no worker key");
  return c;
}

CurveSetup worker_curve(const std::filesystem::path& dir, const std::string& name) {
  CurveSetup c;
  c.enabled = true;
  c.own = {read_key(dir / (name + ".key")), read_key(dir / (name + ".secret"))};
  c.server_public = read_key(dir / "coordinator.key");
  return c;
}

EphemeralCurve ephemeral_curve() {
  EphemeralCurve e;
  e.coordinator.enabled = e.worker.enabled = true;
  e.coordinator.own = generate_curve_keys();
  e.worker.own = generate_curve_keys();
  e.worker.server_public = e.coordinator.own.public_key;
  e.coordinator.authorized = {e.worker.own.public_key};
  return e;
}

std::string serialize_worker_curve(const CurveSetup& w) {
  return w.server_public + "\n" + w.own.public_key + "\n" + w.own.secret_key + "\n";
}

CurveSetup parse_worker_curve(const std::string& text) {
  std::istringstream in(text);
  CurveSetup c;
  c.enabled = true;
  std::getline(in, c.server_public);
  std::getline(in, c.own.public_key);
  std::getline(in, c.own.secret_key);
  uint8_t raw[32];
  for (const auto* k : {&c.server_public, &c.own.public_key, &c.own.secret_key})
    if (k->size() != kZ85KeyLength || !zmq_z85_decode(raw, k->c_str()))
      throw std::runtime_error("the keys handed over by the coordinator are malformed");
  return c;
}

void make_curve_server(zmq::socket_t& socket, const CurveSetup& curve) {
  set_heartbeats(socket);
  if (!curve.enabled) return;
  socket.set(zmq::sockopt::zap_domain, "intake");
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, curve.own.secret_key);
}

void make_curve_client(zmq::socket_t& socket, const CurveSetup& curve) {
  set_heartbeats(socket);
  if (!curve.enabled) return;
  socket.set(zmq::sockopt::curve_serverkey, curve.server_public);
  socket.set(zmq::sockopt::curve_publickey, curve.own.public_key);
  socket.set(zmq::sockopt::curve_secretkey, curve.own.secret_key);
}

ZapAuthenticator::ZapAuthenticator(zmq::context_t& context, std::set<std::string> authorized)
    : authorized_(std::move(authorized)) {
  zmq::socket_t socket(context, zmq::socket_type::rep);
  socket.set(zmq::sockopt::linger, 0);
  socket.bind("inproc://zeromq.zap.01");  // bound here, so no handshake can happen before it
  thread_ = std::thread([this, s = std::move(socket)]() mutable { run(std::move(s)); });
}

ZapAuthenticator::~ZapAuthenticator() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void ZapAuthenticator::run(zmq::socket_t socket) {
  // RFC 27: version, request id, domain, address, identity, mechanism, credentials...
  while (!stop_.load()) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return;
    }
    if (!(item.revents & ZMQ_POLLIN)) continue;
    std::vector<zmq::message_t> frames;
    while (true) {
      zmq::message_t part;
      if (!socket.recv(part, zmq::recv_flags::none)) break;
      const bool more = part.more();
      if (frames.size() < 8) frames.push_back(std::move(part));
      if (!more) break;
    }
    const std::string version = frames.size() > 0 ? frames[0].to_string() : "";
    const std::string request_id = frames.size() > 1 ? frames[1].to_string() : "";
    const std::string address = frames.size() > 3 ? frames[3].to_string() : "";
    const std::string mechanism = frames.size() > 5 ? frames[5].to_string() : "";
    bool ok = false;
    if (version == "1.0" && mechanism == "CURVE" && frames.size() >= 7 && frames[6].size() == 32) {
      char z85[41];
      if (zmq_z85_encode(z85, static_cast<const uint8_t*>(frames[6].data()), 32)) ok = authorized_.count(z85) > 0;
    }
    if (!ok) {
      ++refused_;
      spdlog::warn("refused a connection from {}: {}", address.empty() ? "?" : address,
                   mechanism == "CURVE" ? "its key is not among the authorized workers" : "no CURVE handshake");
    }
    const std::string code = ok ? "200" : "400";
    const std::string text = ok ? "OK" : "not authorized";
    socket.send(zmq::buffer(version), zmq::send_flags::sndmore);
    socket.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
    socket.send(zmq::buffer(code), zmq::send_flags::sndmore);
    socket.send(zmq::buffer(text), zmq::send_flags::sndmore);
    socket.send(zmq::buffer(std::string()), zmq::send_flags::sndmore);  // user id
    socket.send(zmq::buffer(std::string()), zmq::send_flags::none);     // metadata
  }
}

}  // namespace intake
