#include "pipeline/worker_pool.h"

#include <chrono>
#include <future>

#include <spdlog/spdlog.h>

#include "pipeline/crash_journal.h"
#include "pipeline/fault_injection.h"
#include "pipeline/tsan.h"
#include "pipeline/wire.h"

namespace intake {

bool poll_in(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  try {
    zmq::poll(&item, 1, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return false;
  }
  return (item.revents & ZMQ_POLLIN) != 0;
}

bool recv_frames(zmq::socket_t& socket, std::vector<zmq::message_t>& frames, std::size_t max_parts) {
  frames.clear();
  bool too_many = false;
  while (true) {
    zmq::message_t part;
    try {
      // The first part may be absent (EAGAIN); the rest of a message is always there.
      if (!socket.recv(part, frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none)) return false;
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR || !frames.empty()) throw;
      return false;
    }
    const bool more = part.more();
    if (frames.size() < max_parts) frames.push_back(std::move(part));
    else too_many = true;
    if (!more) break;
  }
  if (too_many) spdlog::warn("dropped a message with more than {} frames", max_parts);
  after_zmq_receive();
  return !too_many;
}

WorkerPool::WorkerPool(zmq::context_t& context, const Stage& stage, std::string work_endpoint,
                       std::string results_endpoint, int workers, int64_t max_frame_bytes, CurveSetup curve)
    : context_(context), stage_(stage), work_endpoint_(std::move(work_endpoint)),
      results_endpoint_(std::move(results_endpoint)), max_frame_bytes_(max_frame_bytes), curve_(std::move(curve)) {
  std::vector<std::promise<void>> ready(workers);
  std::vector<std::future<void>> started;
  for (auto& p : ready) started.push_back(p.get_future());
  for (int i = 0; i < workers; ++i)
    threads_.emplace_back([this, i, promise = &ready[i]]() mutable {
      prepare_thread_for_crash_reports();
      std::unique_ptr<WorkerState> state;
      try {
        state = stage_.make_state();
        promise->set_value();
      } catch (...) {
        promise->set_exception(std::current_exception());
        return;
      }
      try {
        // DEALER: this worker asks for each page (wire::kReady), so the coordinator never hands a
        // page to a worker that is still busy, or stalled, on another.
        zmq::socket_t in(context_, zmq::socket_type::dealer);
        zmq::socket_t out(context_, zmq::socket_type::push);
        in.set(zmq::sockopt::rcvhwm, 2);
        in.set(zmq::sockopt::linger, 0);
        in.set(zmq::sockopt::maxmsgsize, max_frame_bytes_);
        out.set(zmq::sockopt::linger, 2000);
        if (work_endpoint_.rfind("tcp://", 0) == 0) make_curve_client(in, curve_);
        if (results_endpoint_.rfind("tcp://", 0) == 0) make_curve_client(out, curve_);
        in.connect(work_endpoint_);
        out.connect(results_endpoint_);
        auto last_ask = std::chrono::steady_clock::now();
        auto ask = [&] {
          zmq::message_t ready(wire::kReady.data(), wire::kReady.size());
          (void)in.send(ready, zmq::send_flags::dontwait);  // not connected yet: asked again within a second
          last_ask = std::chrono::steady_clock::now();
        };
        ask();
        std::vector<zmq::message_t> frames;
        while (!stop_.load()) {
          // Asked again while idle: a coordinator that started (or restarted) after this worker
          // asked has no record of it.
          if (std::chrono::steady_clock::now() - last_ask > std::chrono::seconds(1)) ask();
          if (!poll_in(in, std::chrono::milliseconds(200))) continue;
          if (!recv_frames(in, frames, wire::kFrameCount + 1)) {
            ask();
            continue;
          }
          auto decoded = wire::decode(frames);
          if (auto* err = std::get_if<wire::DecodeError>(&decoded)) {
            spdlog::error("{} worker {}: rejected a message: {}", stage_.name(), i, err->reason);
            ask();
            continue;
          }
          auto& envelope = std::get<wire::Envelope>(decoded);
          PageItem& page = envelope.page;
          const auto t0 = std::chrono::steady_clock::now();
          try {
            const PageMark mark(page.batch_id, page.number, page.token, std::string(stage_.name()));
            inject_fault(stage_.name(), page.source_file);
            stage_.process(page, state.get());
          } catch (const std::exception& e) {
            page.error = std::string(stage_.name()) + ": " + e.what();
          } catch (...) {
            page.error = std::string(stage_.name()) + ": unknown exception";
          }
          page.timings_ms[std::string(stage_.name())] =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
          envelope.stage = std::string(stage_.name());
          if (page.error) {  // on its way to quarantine: the coordinator needs no image
            page.original.clear();
            page.work.release();
          }
          auto out_frames = wire::encode(envelope);
          before_zmq_send();
          for (std::size_t f = 0; f < out_frames.size(); ++f)
            out.send(out_frames[f], f + 1 < out_frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
          ask();
        }
      } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) spdlog::error("{} worker {}: {}", stage_.name(), i, e.what());
      }
    });
  std::exception_ptr failure;
  for (auto& f : started) {
    try {
      f.get();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) {
    stop();
    std::rethrow_exception(failure);
  }
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  stop_.store(true);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

}  // namespace intake
