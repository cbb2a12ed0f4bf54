// Stage: one step of the page pipeline (preprocess, barcode, ocr, classify, extract).
//
// A stage knows nothing of sockets. It is built once from its config, is immutable afterwards,
// and processes one page at a time through a const method, so one Stage object serves all the
// worker threads of a process. What a worker must own (a Tesseract engine, a decoder sandbox)
// lives in a WorkerState that the stage creates for each worker thread: make_state() is called
// once in that thread, and process() is then called in the same thread with that state.
//
// process() may throw: the runner turns the exception into the page's `error` (quarantine).
// Expected trouble that should not stop the page (an unreadable barcode) goes into page.flags.
#pragma once

#include <memory>
#include <string_view>

#include "pipeline/page.h"

namespace intake {

struct WorkerState {
  virtual ~WorkerState() = default;
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  // Called once per worker thread, in that thread.
  virtual std::unique_ptr<WorkerState> make_state() const { return nullptr; }
  // May be called from several threads at once, each with its own state.
  virtual void process(PageItem& page, WorkerState* state) const = 0;
};

}  // namespace intake
