// server::Transport: the seam between the server's event loop and the
// operating system. Every socket call the loop makes (listen, accept, the
// readiness wait, read, write, close), its wake-up and its two clocks go
// through one of these, so the same loop runs on real sockets
// (MakeSocketTransport(): epoll and non-blocking sockets) and on a simulated
// transport whose every call a program controls (sim_transport.h).
//
// Handles are small non-negative integers the transport hands out from
// Accept(); readiness uses epoll's bits (EPOLLIN, EPOLLOUT, EPOLLERR,
// EPOLLHUP) on every implementation. Calls return -errno on failure, as the
// system calls they stand for would set errno.
#ifndef RESPFUZZ_SERVER_TRANSPORT_H_
#define RESPFUZZ_SERVER_TRANSPORT_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace respfuzz::server {

// One readiness report: the tag given to Watch() and what the handle is ready for.
struct Readiness {
  uint64_t tag = 0;
  uint32_t events = 0;
};

class Transport {
 public:
  // Tags Wait() reports for the listener and for Wake(); a client's tag is
  // anything else (the server uses its Client*).
  static constexpr uint64_t kListenerTag = 0;
  static constexpr uint64_t kWakeTag = 1;

  virtual ~Transport() = default;

  // Binds and listens on bind:port (0: any free port) and watches the
  // listener; returns the bound port. Errors name the address, e.g.
  // "cannot listen on 127.0.0.1:6379: Address already in use".
  virtual absl::StatusOr<uint16_t> Listen(const std::string& bind, uint16_t port) = 0;
  virtual void CloseListener() = 0;
  // CONFIG SET port: listens on bind:port instead of the current listener
  // (port 0: on nothing, the listener closed), opening the new socket before
  // the old one is closed, so an error (the port in use: "cannot listen on
  // ...") leaves the old listener as it was. Returns the port listened on.
  virtual absl::StatusOr<uint16_t> ChangeListenPort(const std::string& bind, uint16_t port) = 0;
  // One waiting connection: its handle (>= 0, not watched yet) with both
  // ends' "ip:port" in *peer and *local; or -EAGAIN (none waiting), -EMFILE /
  // -ENFILE (out of descriptors), -EINTR, -ECONNABORTED.
  virtual int Accept(std::string* peer, std::string* local) = 0;
  // After -EMFILE/-ENFILE: accepts the next waiting connection and closes it
  // at once, so the listener does not stay ready forever. 1: one was
  // dropped; 0: none was waiting; -1: impossible (stop accepting this turn).
  virtual int AcceptAndDrop() = 0;

  // Starts watching a handle for `events`, reported with `tag`; false if the
  // handle cannot be watched. Rewatch changes what a watched handle reports.
  virtual bool Watch(int handle, uint32_t events, uint64_t tag) = 0;
  virtual void Rewatch(int handle, uint32_t events, uint64_t tag) = 0;
  // Waits up to timeout_ms (0: do not block) for readiness; fills `out` and
  // returns how many, or -errno (-EINTR). A simulated transport never blocks.
  virtual int Wait(std::span<Readiness> out, int timeout_ms) = 0;

  // Bytes read into buf (0: the peer closed its side), or -errno (-EAGAIN:
  // nothing to read now, -ECONNRESET, ...).
  virtual ssize_t Recv(int handle, char* buf, size_t len) = 0;
  // Bytes the peer took (possibly fewer than len), or -errno (-EAGAIN: none
  // fit now, -EPIPE, -ECONNRESET, ...). Never raises SIGPIPE.
  virtual ssize_t Send(int handle, const char* data, size_t len) = 0;
  // Stops watching the handle and closes it. Exactly once per accepted handle.
  virtual void Close(int handle) = 0;
  // Called once per loop turn after the turn's accepts and reads, before
  // active expiry, the engine's end of turn and the writes (a marker for the
  // simulated transport's event log; the socket transport does nothing).
  virtual void AfterReads() {}

  // Makes a Wait() (now or next) report kWakeTag. Thread-safe and
  // async-signal-safe. DrainWake() consumes it.
  virtual void Wake() = 0;
  virtual void DrainWake() = 0;

  // Unix time in ms (the engine's clock follows it) and a monotonic clock in
  // ms (the active-expire timer).
  virtual int64_t WallClockMs() = 0;
  virtual int64_t MonotonicMs() = 0;
  // The monotonic clock as a running script reads it (every ~1000 Lua
  // instructions, to see whether it passed busy-reply-threshold; see
  // src/script/busy_script.cc). A simulated transport moves its clock
  // there by a step its program sets, since no time passes otherwise.
  virtual int64_t BusyClockMs() { return MonotonicMs(); }
  // DEBUG SLEEP: the server blocks for `us` microseconds (nanosleep; a
  // simulated transport moves its clock instead).
  virtual void Sleep(int64_t us) = 0;
  // SAVE's file (the engine's PersistHost, src/engine/persist.cc): `bytes`
  // as `name` in the working directory, written as rdbSave writes it: to
  // temp-<pid>.rdb, flushed and fsynced, then renamed over `name` (nothing
  // half-written is ever seen under `name`). False when a step failed (the
  // temporary file is removed). The default, a simulated transport's, writes
  // nothing and succeeds: harnesses do no I/O.
  virtual bool WriteFileAtomically(std::string_view name, std::string_view bytes) {
    (void)name;
    (void)bytes;
    return true;
  }
  // The whole file `name` of the working directory into *out (the dump.rdb
  // a starting server loads): 0, or -errno (-ENOENT: there is none). The
  // default, a simulated transport's, has no files.
  virtual int ReadFile(std::string_view name, std::string* out) {
    (void)name;
    (void)out;
    return -2;  // ENOENT
  }
  // The append-only file's directory and files (src/engine/aof.cc), paths
  // relative to the working directory: the directory made if missing,
  // bytes appended to a file (created when missing), a file removed. The
  // defaults, a simulated transport's, touch nothing and succeed.
  virtual bool MakeDir(std::string_view path) {
    (void)path;
    return true;
  }
  virtual bool AppendFile(std::string_view path, std::string_view bytes) {
    (void)path;
    (void)bytes;
    return true;
  }
  virtual bool RemoveFile(std::string_view path) {
    (void)path;
    return true;
  }
  // MIGRATE's connections to its target (the engine's NetHost,
  // src/engine/migrate.cc), as Redis's connBlockingConnect, syncWrite and
  // syncRead do them: blocking, each call bounded by timeout_ms.
  // BlockingConnect: a handle (>= 0) once the socket is writable or the
  // wait ran out, -1 when no address of host took the connect. SyncWrite:
  // all of `bytes`, 0 or -errno. SyncRead: exactly `len` bytes, 0 or
  // -errno (-ETIMEDOUT; -ECONNRESET when the peer closed first). The
  // transport closes what is left open when it goes. The defaults, a
  // simulated transport's, reach no one.
  virtual int BlockingConnect(const std::string& host, int port, int64_t timeout_ms) {
    (void)host;
    (void)port;
    (void)timeout_ms;
    return -1;
  }
  virtual int SyncWrite(int conn, std::string_view bytes, int64_t timeout_ms) {
    (void)conn;
    (void)bytes;
    (void)timeout_ms;
    return -9;  // EBADF
  }
  virtual int SyncRead(int conn, char* buf, size_t len, int64_t timeout_ms) {
    (void)conn;
    (void)buf;
    (void)len;
    (void)timeout_ms;
    return -9;  // EBADF
  }
  virtual void CloseOutbound(int conn) { (void)conn; }
};

// The real thing: epoll, non-blocking TCP sockets (TCP_NODELAY, SO_REUSEADDR,
// backlog 511), a wake pipe, a spare descriptor for -EMFILE, CLOCK_REALTIME
// and CLOCK_MONOTONIC.
std::unique_ptr<Transport> MakeSocketTransport();

}  // namespace respfuzz::server

#endif  // RESPFUZZ_SERVER_TRANSPORT_H_
