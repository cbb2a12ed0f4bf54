// Process-wide stop request from SIGINT/SIGTERM: the first signal asks for a drain (finish what
// is in flight, then exit), a second one exits at once. Async-signal-safe; query from any thread.
#pragma once

namespace intake {

void install_stop_handlers();
bool stop_requested();
void request_stop();  // for tests and programmatic shutdown
void clear_stop_request();  // for tests: the process goes on as if no stop had been asked

}  // namespace intake
