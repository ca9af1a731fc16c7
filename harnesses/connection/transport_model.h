// The connection harness's transport model (check "transport-model"): what
// the server sees through its Transport, compared with a model of the
// clients built from the program's ops alone, not from SimTransport's own
// bookkeeping (its queues, its event log, its `received`), so a simulated
// transport that loses, reorders or invents bytes, or hides a waiting
// connection from the server, fails here even though the direct engine run
// (which replays the transport's log) agrees with the server.
//
// ObservingTransport sits between the server and the transport it runs on
// and records every call the server makes and what came back. ClientModel
// replays the program's client ops (the connection each op acted on, as
// DriveConnProgram reports it) with the documented semantics of the
// simulated network:
//   - bytes: a client's sends form one stream, cut in segments of the
//     send's slice; a send after the client's fin, rst or close is lost.
//     The server reads a prefix of the stream, in order, each read inside
//     one segment (a read never joins two segments).
//   - accept: connections are accepted (or dropped after a failed accept)
//     in the order they connected; once the loop is quiet none is waiting.
//   - close: once the loop is quiet, a connection the server still holds
//     and watches for reading has nothing left to read: every byte sent is
//     read, and a client that half-closed, reset or closed was closed by
//     the server (an end of stream or a reset is always readable).
//   - EMFILE: each accept-fail op fails one Accept() with -EMFILE (all of
//     them by the time the loop is quiet); after Accept() fails with -EMFILE or -ENFILE the
//     server's next accept-side call is AcceptAndDrop() (transport.h), and AcceptAndDrop() is
//     called only then.
//   - end of stream: a Recv() returns 0 only once the client half-closed or
//     closed, after every byte it sent was read.
//   - end of stream with output owed: when a Recv() returns 0 (the client
//     half-closed or closed) while the server owes the connection bytes (its
//     last Send() there was short or EAGAIN), the server tries once more to
//     send them (a Send() call) before it closes the connection (docs/
//     serve.md: a client that half-closes gets what the socket takes then).
//   - reset: once Wait() has reported a connection's reset (EPOLLERR), the
//     server makes at most one more Recv() or Send() there, the one that
//     reads the ECONNRESET, and only if it watched the connection for
//     reading or writing when the reset was reported; a connection it
//     watched for neither (a client whose requests wait for a turn) is
//     closed without one (docs/serve.md: a client that resets while
//     requests wait loses them).
#ifndef RESPFUZZ_HARNESSES_CONNECTION_TRANSPORT_MODEL_H_
#define RESPFUZZ_HARNESSES_CONNECTION_TRANSPORT_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harnesses/common/verdict.h"
#include "harnesses/connection/program.h"
#include "src/server/transport.h"

namespace respfuzz::harnesses {

// Forwards every call to `inner` and records what the server saw.
class ObservingTransport : public server::Transport {
 public:
  struct Handle {
    std::string read;           // the bytes Recv() returned, in order
    std::vector<size_t> cut;    // read.size() after each Recv() that returned bytes
    bool eof = false;           // a Recv() returned 0
    size_t eof_at = 0;          // read.size() at the first Recv() that returned 0
    bool owed = false;          // the last Send() was short or EAGAIN
    bool eof_owed = false;      // a Recv() returned 0 while owed, and no Send() since
    bool closed_owing = false;  // Close() came while eof_owed
    bool closed = false;        // the server called Close()
    uint32_t watch_events = 0;
    bool watched = false;
    uint64_t tag = 0;
    bool reset_seen = false;      // Wait() reported EPOLLERR while open
    uint32_t reset_watch = 0;     // watch_events then
    int io_after_reset = 0;       // Recv() and Send() calls since
    std::string reset_violation;  // the first call the reset rule forbids
  };
  // One accept-side call: Accept()'s result (a handle or -errno), or a drop
  // (AcceptAndDrop()'s result, 0 or 1).
  struct AcceptCall {
    bool drop = false;
    int result = 0;
  };

  explicit ObservingTransport(std::unique_ptr<server::Transport> inner)
      : inner_(std::move(inner)) {}

  const std::vector<Handle>& handles() const { return handles_; }
  const std::vector<AcceptCall>& accept_calls() const { return accept_calls_; }
  // The timeout of the server's last Wait() (-1: none yet).
  int last_wait_timeout_ms() const { return last_wait_timeout_ms_; }

  absl::StatusOr<uint16_t> Listen(const std::string& bind, uint16_t port) override {
    return inner_->Listen(bind, port);
  }
  void CloseListener() override { inner_->CloseListener(); }
  absl::StatusOr<uint16_t> ChangeListenPort(const std::string& bind, uint16_t port) override {
    return inner_->ChangeListenPort(bind, port);
  }
  int Accept(std::string* peer, std::string* local) override;
  int AcceptAndDrop() override;
  bool Watch(int h, uint32_t events, uint64_t tag) override;
  void Rewatch(int h, uint32_t events, uint64_t tag) override;
  int Wait(std::span<server::Readiness> out, int timeout_ms) override;
  ssize_t Recv(int h, char* buf, size_t len) override;
  ssize_t Send(int h, const char* data, size_t len) override;
  void Close(int h) override;
  void AfterReads() override { inner_->AfterReads(); }
  void Wake() override { inner_->Wake(); }
  void DrainWake() override { inner_->DrainWake(); }
  int64_t WallClockMs() override { return inner_->WallClockMs(); }
  int64_t MonotonicMs() override { return inner_->MonotonicMs(); }
  int64_t BusyClockMs() override { return inner_->BusyClockMs(); }
  void Sleep(int64_t us) override { inner_->Sleep(us); }

 private:
  Handle* At(int h);
  // The reset rule (above), at a Recv() or Send() on handle h.
  void AfterReset(Handle* s, int h, const char* call);

  std::unique_ptr<server::Transport> inner_;
  std::vector<Handle> handles_;
  std::vector<AcceptCall> accept_calls_;
  int last_wait_timeout_ms_ = -1;
};

// The clients as the program's ops made them.
struct ClientModel {
  struct Conn {
    std::string sent;              // every byte the client sent that the network carries
    std::vector<size_t> segments;  // sent.size() at the end of each segment
    bool fin = false, rst = false, closed = false;
  };
  std::vector<Conn> conns;     // by connection index (the order they connected)
  size_t accept_failures = 0;  // accept-fail ops: each fails one Accept() with -EMFILE

  // `op_conns[i]`: the connection op i acted on (-1: none, skipped); a
  // connect op that opened a new connection names it.
  static ClientModel FromProgram(const ConnProgram& p, const std::vector<int>& op_conns);
};

// The model's checks once the loop is quiet (before Stop()); `step` is the
// verdict's step. Ok or Fail("transport-model", ...).
fuzz::Verdict CheckTransportModel(const ClientModel& model, const ObservingTransport& seen,
                                  size_t step);

// An idle server sleeps (check "stall"): called after a turn of a quiet loop
// (nothing queued, nothing readable, every timer that was due run in the
// turns before), the server's last Wait() had a timeout of 1..max_ms: 0 is a
// busy loop, more than max_ms sleeps past the cron.
fuzz::Verdict CheckIdleWait(const ObservingTransport& seen, int max_ms, size_t step);

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_HARNESSES_CONNECTION_TRANSPORT_MODEL_H_
