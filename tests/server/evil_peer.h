// EvilPeer: a hostile TCP peer for the chaos suites, and the toxics it uses.
//
// A peer runs a script (connect, write in slices, delay, never read, FIN,
// RST, storms) in a thread or, in fork mode, in a child process: a real OS
// boundary, the server's sockets talk to another process. A fork-mode peer
// forks when it is constructed, before the test starts any thread, and waits
// for Start(port).
//
// What a script does is written down as a connection program in the
// `connection` harness's text form (harnesses/connection/program.h): "c0
// connect", "c0 send \"...\" /1", "c0 rst", with a "tick" between actions.
// The suites print it, with their seeds, only when a test fails;
// `respfuzz freeze connection LOG` replays it on the simulated transport.
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

namespace respfuzz::server::testing {

// --- toxics on a socket ---
// A blocking TCP connection to 127.0.0.1:port, or -1.
int ConnectLoopback(uint16_t port);
// SO_RCVBUF as small as the kernel allows (before connect: the window stays
// small), so a peer that never reads fills the writer's side quickly.
void ShrinkReceiveBuffer(int fd);
// Writes `bytes` in pieces of `slice` bytes (0: one piece), sleeping `delay`
// between pieces; false if a write fails.
bool SendSliced(int fd, std::string_view bytes, size_t slice, std::chrono::milliseconds delay);
// FIN: shutdown(SHUT_WR); the peer can still read.
void HalfClose(int fd);
// RST: SO_LINGER {1, 0}, then close(): the other side sees ECONNRESET.
void HardReset(int fd);
// Reads until EOF, an error, `want` bytes, or the timeout; *eof tells
// whether the other side closed.
std::string ReadFor(int fd, size_t want, std::chrono::milliseconds timeout, bool* eof);

// The event log of a run, as a connection program.
class ChaosLog {
 public:
  // One client action (a line of the program), followed by a tick.
  void Add(std::string_view line);
  std::string Text() const;

 private:
  mutable std::mutex mu_;
  std::string text_;
};
// `c<N> send "<escaped bytes>" [/slice]`, escaped as the harness's text form
// (at most 128 bytes: longer sends are logged in pieces).
void LogSend(ChaosLog& log, int client, std::string_view bytes, size_t slice);

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
