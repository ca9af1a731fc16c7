// EvilPeer: a hostile TCP peer for the chaos suites, and the toxics it uses.
//
// A peer runs a script (connect, write in slices, delay, never read, FIN,
// RST, storms) in a thread or, in fork mode, in a child process: a real OS
// boundary, the server's sockets talk to another process. A fork-mode peer
// forks when it is constructed, before the test starts any thread, and waits
// for Start(port).
//
// Scripts act through PeerSocket, which records in the run's ChaosLog what
// the peer actually did, as a program in the `connection` harness's text form
// (harnesses/connection/program.h): "cN connect" once connected, "cN send
// ..." with the bytes the kernel accepted (in pieces of at most 128 bytes,
// "/K" when they went in K-byte writes), "cN window 0" when it stops reading
// with a small receive buffer and "cN window N" for each N bytes it reads
// after that, "cN never-read", "cN fin", "cN rst", "cN close", each followed
// by a "tick" (one turn of the server's loop). The log is bounded: it keeps
// the first kConnMaxOps ops (the program's cap) and counts the rest in a
// comment, so it is always a program the harness takes. The suites print it,
// with their seeds, only when a test fails; `respfuzz freeze connection LOG`
// replays it on the simulated transport.
#ifndef RESPFUZZ_TESTS_SERVER_EVIL_PEER_H_
#define RESPFUZZ_TESTS_SERVER_EVIL_PEER_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "harnesses/connection/program.h"

namespace respfuzz::server::testing {

// --- toxics on a socket ---
// A blocking TCP connection to 127.0.0.1:port, or -1; with `small_window`
// the receive buffer is shrunk before connecting (see ShrinkReceiveBuffer).
int ConnectLoopback(uint16_t port, bool small_window = false);
// SO_RCVBUF as small as the kernel allows (before connect: the window stays
// small), so a peer that never reads fills the writer's side quickly.
void ShrinkReceiveBuffer(int fd);
// Writes `bytes` in pieces of `slice` bytes (0: one piece), sleeping `delay`
// between pieces; false if a write fails. `on_sent` gets every run of bytes
// the kernel accepted.
bool SendSliced(int fd, std::string_view bytes, size_t slice, std::chrono::milliseconds delay,
                const std::function<void(std::string_view)>& on_sent = {});
// FIN: shutdown(SHUT_WR); the peer can still read.
void HalfClose(int fd);
// RST: SO_LINGER {1, 0}, then close(): the other side sees ECONNRESET.
void HardReset(int fd);
// Reads until EOF, an error, `want` bytes, or the timeout; *eof tells
// whether the other side closed.
std::string ReadFor(int fd, size_t want, std::chrono::milliseconds timeout, bool* eof);

// The event log of a run: a connection program, bounded (see above).
// Thread-safe: a storm's threads share one.
class ChaosLog {
 public:
  // One client action, then a tick.
  void Add(const harnesses::ConnOp& op);
  // A comment line (not an op); at most kMaxNotes are kept.
  void Note(std::string_view text);
  // The program; ends with a comment counting the events not recorded.
  std::string Text() const;
  // Ops recorded (ticks included) and client actions left out for the cap.
  size_t ops() const;
  size_t dropped() const;

  static constexpr size_t kMaxNotes = 16;

 private:
  mutable std::mutex mu_;
  std::string text_;
  size_t ops_ = 0, dropped_ = 0, notes_ = 0;
};

// A peer's connection, recorded in `log` as client `client` (0..7).
class PeerSocket {
 public:
  PeerSocket(ChaosLog* log, int client) : log_(log), client_(client) {}
  ~PeerSocket();
  PeerSocket(const PeerSocket&) = delete;
  PeerSocket& operator=(const PeerSocket&) = delete;

  // Connects (closing a previous connection without a log line); false if it
  // could not. `small_window`: the receive buffer is shrunk first.
  bool Connect(uint16_t port, bool small_window = false);
  // SendSliced; logs what the kernel accepted, also when a write fails.
  bool Send(std::string_view bytes, size_t slice = 0,
            std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  // ReadFor; after StopReading() it logs "window N" for the N bytes read.
  std::string Read(size_t want, std::chrono::milliseconds timeout, bool* eof);
  // The peer stops reading for now ("window 0"), or for good ("never-read").
  void StopReading();
  void NeverRead();
  void Fin();
  void Reset();
  void Close();
  int fd() const { return fd_; }

 private:
  void Log(harnesses::ConnOpKind kind, uint32_t n = 0);

  ChaosLog* log_;
  int client_;
  int fd_ = -1;
  bool windowed_ = false;
};

class EvilPeer {
 public:
  enum class Mode { kThread, kFork };
  // The script gets the server's port and the log; true if it saw what it
  // expected.
  using Script = std::function<bool(uint16_t port, ChaosLog& log)>;

  EvilPeer(Mode mode, Script script);
  ~EvilPeer();
  EvilPeer(const EvilPeer&) = delete;
  EvilPeer& operator=(const EvilPeer&) = delete;

  void Start(uint16_t port);
  // Waits for the script: its verdict, false if it did not finish in time
  // (a child is then killed). *log gets the script's event log.
  bool Join(std::chrono::milliseconds timeout, std::string* log);

 private:
  Mode mode_;
  Script script_;
  ChaosLog log_;
  std::thread thread_;
  bool result_ = false;
  bool done_ = false;
  std::mutex mu_;
  pid_t child_ = -1;
  int to_child_ = -1;    // the port goes down this pipe
  int from_child_ = -1;  // the log comes back up this one
};

}  // namespace respfuzz::server::testing

#endif  // RESPFUZZ_TESTS_SERVER_EVIL_PEER_H_
