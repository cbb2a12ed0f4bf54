// WorkerPool: the worker threads of one stage in this process.
//
// Each thread owns its ZeroMQ sockets (created in the thread) and its stage WorkerState: it
// pulls a page from the stage's work endpoint, runs Stage::process, and pushes the page back to
// the coordinator's results endpoint. An exception from the stage becomes the page's `error`;
// a message that does not decode is dropped with a log line (the coordinator's timeout
// re-dispatches the page). The constructor returns once every worker has built its state and
// rethrows the first failure (a missing OCR model, say). The destructor stops and joins.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "pipeline/curve.h"
#include "pipeline/stage.h"

namespace intake {

class WorkerPool {
 public:
  // max_frame_bytes: ZMQ_MAXMSGSIZE of the work socket (a larger frame is refused before it is
  // buffered); -1 for none.
  WorkerPool(zmq::context_t& context, const Stage& stage, std::string work_endpoint, std::string results_endpoint,
             int workers, int64_t max_frame_bytes = -1, CurveSetup curve = {});
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void stop();

 private:
  void run(int index);

  zmq::context_t& context_;
  const Stage& stage_;
  std::string work_endpoint_, results_endpoint_;
  int64_t max_frame_bytes_;
  CurveSetup curve_;  // tcp: this worker's CURVE client keys
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Receives one multipart message of at most max_parts frames (the rest is drained and the
// message rejected). Returns false on timeout (EAGAIN) or a rejected message.
bool recv_frames(zmq::socket_t& socket, std::vector<zmq::message_t>& frames, std::size_t max_parts);
// zmq::poll on one socket for input; a signal (EINTR) counts as a timeout. True when readable.
bool poll_in(zmq::socket_t& socket, std::chrono::milliseconds timeout);

}  // namespace intake
