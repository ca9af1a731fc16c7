// server::SimTransport: a Transport with no I/O, no threads and no clocks.
// The program on the other side (a harness, a test) plays the clients: it
// connects, sends bytes in the slices it chooses, decides how many bytes each
// client accepts, half-closes, resets, closes, makes the next accept fail and
// moves the clock; the server drives the loop one Turn() at a time. Wait()
// never blocks and is level-triggered, as epoll is by default: it reports the
// listener while a connection waits (or an accept failure is due), and every
// watched connection with bytes, an end of stream or a reset to read, or with
// room for output while it watches EPOLLOUT, in connection order.
//
// Everything the server does is recorded: the bytes each client received,
// and an event log (turns, accepts, reads with their bytes, writes with their
// sizes, closes) that a reference run replays. Calls the server must not make
// (a read or write on a closed or unknown handle, a second close) are
// recorded as misuses, not crashes.
#ifndef RESPFUZZ_SERVER_SIM_TRANSPORT_H_
#define RESPFUZZ_SERVER_SIM_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "src/server/transport.h"

namespace respfuzz::server {

class SimTransport : public Transport {
 public:
  static constexpr size_t kUnlimitedWindow = std::numeric_limits<size_t>::max();
  static constexpr int64_t kStartWallMs = 1'700'000'000'000;
  static constexpr uint16_t kPort = 6379;
  // Connections the first Connect() makes room for.
  static constexpr size_t kConnsReserved = 16;

  struct Event {
    enum Kind : uint8_t { kTurn, kAccept, kDrop, kRecv, kSend, kClose, kAfterReads };
    Kind kind = kTurn;
    int conn = -1;
    std::string bytes;                 // kRecv: what the server read; kAccept: "peer local"
    size_t size = 0;                   // kSend: bytes the client took
    int64_t wall_ms = 0, mono_ms = 0;  // the clocks when it happened
  };

  struct Conn {
    // The client's side.
    std::deque<std::string> segments;  // bytes not read yet, one read each at most
    size_t window = kUnlimitedWindow;  // bytes the client takes now
    bool never_read = false;           // window stays 0
    bool fin = false;                  // half-closed: EOF after the segments
    bool rst = false;                  // reset: the next read or write fails
    bool reset_reported = false;       // a read or write already saw ECONNRESET
    bool client_closed = false;        // closed: EOF to reads, EPIPE to writes
    std::string received;              // every byte the server wrote to it
    // The server's side.
    bool waiting = true;    // in the accept queue
    bool accepted = false;  // handed out by Accept()
    bool dropped = false;   // refused by AcceptAndDrop()
    int closes = 0;         // Close() calls
    bool watched = false;
    uint32_t watch_events = 0;
    uint64_t tag = 0;
    bool server_open() const { return accepted && closes == 0; }
  };

  // --- the program's side ---
  // A new client connection, waiting to be accepted; returns its index (the
  // handle Accept() will give for it).
  int Connect();
  // Queues bytes from the client, in reads of at most `slice` bytes (0: one piece).
  void ClientSend(int conn, std::string_view bytes, size_t slice);
  void SetWindow(int conn, size_t bytes);
  void NeverRead(int conn);
  void Fin(int conn);
  void Reset(int conn);
  void ClientClose(int conn);
  // The next Accept() fails with -EMFILE.
  void FailNextAccept() { ++accept_failures_; }
  void AdvanceClock(int64_t ms) { mono_ms_ += ms; }
  // Each BusyClockMs() (a running script's look at the clock, every ~1000
  // Lua instructions) first advances the clock by `ms`; 0 (the default):
  // time stands still while a script runs, so no script times out.
  void SetBusyClockStep(int64_t ms) { busy_step_ms_ = ms; }

  const std::vector<Conn>& conns() const { return conns_; }
  const std::vector<Event>& log() const { return log_; }
  const std::vector<std::string>& misuses() const { return misuses_; }
  // Read calls the server made this turn, per connection (reset by each Wait).
  const std::vector<int>& reads_this_turn() const { return reads_this_turn_; }
  bool listening() const { return listening_; }
  int turns() const { return turns_; }
  // The timeout the server passed to its last Wait() (ms; -1: none yet).
  int last_wait_timeout_ms() const { return last_wait_timeout_ms_; }

  // --- Transport ---
  absl::StatusOr<uint16_t> Listen(const std::string& bind, uint16_t port) override;
  void CloseListener() override { listening_ = false; }
  // One listener, on kPort: any other port is refused as if in use.
  absl::StatusOr<uint16_t> ChangeListenPort(const std::string& bind, uint16_t port) override;
  int Accept(std::string* peer, std::string* local) override;
  int AcceptAndDrop() override;
  bool Watch(int handle, uint32_t events, uint64_t tag) override;
  void Rewatch(int handle, uint32_t events, uint64_t tag) override;
  int Wait(std::span<Readiness> out, int timeout_ms) override;
  ssize_t Recv(int handle, char* buf, size_t len) override;
  ssize_t Send(int handle, const char* data, size_t len) override;
  void Close(int handle) override;
  void AfterReads() override;
  void Wake() override { wake_ = true; }
  void DrainWake() override { wake_ = false; }
  int64_t WallClockMs() override { return kStartWallMs + mono_ms_; }
  int64_t MonotonicMs() override { return mono_ms_; }
  void Sleep(int64_t us) override { mono_ms_ += us / 1000; }
  int64_t BusyClockMs() override {
    mono_ms_ += busy_step_ms_;
    return mono_ms_;
  }

  // "10.0.0.N:40000+N" and "127.0.0.1:6379": the addresses a connection reports.
  static std::string PeerAddress(int conn);
  static std::string LocalAddress();

 private:
  Conn* Known(int handle, const char* call);
  void Log(Event::Kind kind, int conn, std::string bytes = "", size_t size = 0);

  std::vector<Conn> conns_;
  std::deque<int> accept_queue_;
  static constexpr size_t kLogReserved = 128;
  std::vector<Event> log_;
  std::vector<std::string> misuses_;
  std::vector<int> reads_this_turn_;
  int accept_failures_ = 0;
  bool listening_ = false;
  bool wake_ = false;
  int64_t mono_ms_ = 0;
  int64_t busy_step_ms_ = 0;
  int turns_ = 0;
  int last_wait_timeout_ms_ = -1;
};

}  // namespace respfuzz::server

#endif  // RESPFUZZ_SERVER_SIM_TRANSPORT_H_
