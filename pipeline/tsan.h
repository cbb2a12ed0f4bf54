// ThreadSanitizer and ZeroMQ: Debian's libzmq is not instrumented, so TSan cannot see that a
// message handed to a socket in one thread happens before its receipt in another, and reports
// every message buffer as raced. Under TSan, every send releases and every receive acquires one
// shared sync object, which states exactly that ordering; elsewhere these are no-ops.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define INTAKE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define INTAKE_TSAN 1
#endif
#endif

#ifdef INTAKE_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace intake {

#ifdef INTAKE_TSAN
inline char g_zmq_handoff;
inline void before_zmq_send() { __tsan_release(&g_zmq_handoff); }
inline void after_zmq_receive() { __tsan_acquire(&g_zmq_handoff); }
#else
inline void before_zmq_send() {}
inline void after_zmq_receive() {}
#endif

}  // namespace intake
