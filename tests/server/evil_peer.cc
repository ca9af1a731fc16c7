#include "tests/server/evil_peer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace respfuzz::server::testing {

int ConnectLoopback(uint16_t port, bool small_window) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (small_window) ShrinkReceiveBuffer(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void ShrinkReceiveBuffer(int fd) {
  const int size = 1;  // the kernel rounds it up to its minimum
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

bool SendSliced(int fd, std::string_view bytes, size_t slice, std::chrono::milliseconds delay,
                const std::function<void(std::string_view)>& on_sent) {
  if (slice == 0) slice = bytes.size();
  while (!bytes.empty()) {
    std::string_view piece = bytes.substr(0, slice);
    while (!piece.empty()) {
      const ssize_t n = ::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      if (on_sent) on_sent(piece.substr(0, static_cast<size_t>(n)));
      piece.remove_prefix(static_cast<size_t>(n));
    }
    bytes.remove_prefix(std::min(slice, bytes.size()));
    if (!bytes.empty() && delay.count() > 0) std::this_thread::sleep_for(delay);
  }
  return true;
}

void HalfClose(int fd) { ::shutdown(fd, SHUT_WR); }

void HardReset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd);
}

std::string ReadFor(int fd, size_t want, std::chrono::milliseconds timeout, bool* eof) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  *eof = false;
  char buf[16384];
  while (out.size() < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, std::min(sizeof(buf), want - out.size()), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *eof = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void ChaosLog::Add(const harnesses::ConnOp& op) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ops_ + 2 > harnesses::kConnMaxOps) {
    ++dropped_;
    return;
  }
  text_ += harnesses::ConnOpToText(op);
  text_ += "\ntick\n";
  ops_ += 2;
}

void ChaosLog::Note(std::string_view text) {
  std::lock_guard<std::mutex> lock(mu_);
  if (notes_ >= kMaxNotes) return;
  ++notes_;
  std::string line(text.substr(0, 200));
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  text_ += "# " + line + "\n";
}

std::string ChaosLog::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (dropped_ == 0) return text_;
  return text_ + "# " + std::to_string(dropped_) +
         " more client actions not recorded (a connection program holds at most " +
         std::to_string(harnesses::kConnMaxOps) + " ops)\n";
}

size_t ChaosLog::ops() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ops_;
}

size_t ChaosLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

PeerSocket::~PeerSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void PeerSocket::Log(harnesses::ConnOpKind kind, uint32_t n) {
  harnesses::ConnOp op;
  op.kind = kind;
  op.client = client_;
  op.n = n;
  log_->Add(op);
}

bool PeerSocket::Connect(uint16_t port, bool small_window) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ConnectLoopback(port, small_window);
  windowed_ = false;
  if (fd_ < 0) return false;
  Log(harnesses::ConnOpKind::kConnect);
  return true;
}

bool PeerSocket::Send(std::string_view bytes, size_t slice, std::chrono::milliseconds delay) {
  if (fd_ < 0) return false;
  std::string sent;
  const bool ok =
      SendSliced(fd_, bytes, slice, delay, [&sent](std::string_view s) { sent.append(s); });
  const int err = ok ? 0 : errno;
  // One line per kConnMaxSendLen bytes; "/K" when they went in K-byte
  // writes (K below the line's size and within the program's cap).
  for (size_t at = 0; at < sent.size(); at += harnesses::kConnMaxSendLen) {
    harnesses::ConnOp op;
    op.kind = harnesses::ConnOpKind::kSend;
    op.client = client_;
    op.bytes = sent.substr(at, harnesses::kConnMaxSendLen);
    if (slice > 0 && slice < op.bytes.size() && slice <= harnesses::kConnMaxSlice) {
      op.slice = static_cast<uint32_t>(slice);
    }
    log_->Add(op);
  }
  if (!ok) {
    log_->Note("c" + std::to_string(client_) + ": a write failed: " + std::strerror(err));
  }
  return ok;
}

std::string PeerSocket::Read(size_t want, std::chrono::milliseconds timeout, bool* eof) {
  if (fd_ < 0) {
    *eof = true;
    return "";
  }
  std::string got = ReadFor(fd_, want, timeout, eof);
  if (windowed_) {
    for (size_t at = 0; at < got.size(); at += harnesses::kConnMaxWindow) {
      Log(harnesses::ConnOpKind::kWindow,
          static_cast<uint32_t>(std::min<size_t>(got.size() - at, harnesses::kConnMaxWindow)));
    }
  }
  return got;
}

void PeerSocket::StopReading() {
  windowed_ = true;
  Log(harnesses::ConnOpKind::kWindow, 0);
}

void PeerSocket::NeverRead() { Log(harnesses::ConnOpKind::kNeverRead); }

void PeerSocket::Fin() {
  if (fd_ < 0) return;
  HalfClose(fd_);
  Log(harnesses::ConnOpKind::kFin);
}

void PeerSocket::Reset() {
  if (fd_ < 0) return;
  HardReset(fd_);
  fd_ = -1;
  Log(harnesses::ConnOpKind::kRst);
}

void PeerSocket::Close() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  Log(harnesses::ConnOpKind::kClose);
}

EvilPeer::EvilPeer(Mode mode, Script script) : mode_(mode), script_(std::move(script)) {
  if (mode_ != Mode::kFork) return;
  int down[2], up[2];
  if (::pipe2(down, O_CLOEXEC) != 0 || ::pipe2(up, O_CLOEXEC) != 0) return;
  child_ = ::fork();
  if (child_ == 0) {
    ::close(down[1]);
    ::close(up[0]);
    uint16_t port = 0;
    if (::read(down[0], &port, sizeof(port)) != sizeof(port)) ::_exit(3);
    ChaosLog log;
    const bool ok = script_(port, log);
    const std::string text = log.Text();
    size_t at = 0;
    while (at < text.size()) {
      const ssize_t n = ::write(up[1], text.data() + at, text.size() - at);
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    ::_exit(ok ? 0 : 1);
  }
  ::close(down[0]);
  ::close(up[1]);
  to_child_ = down[1];
  from_child_ = up[0];
}

EvilPeer::~EvilPeer() {
  if (thread_.joinable()) thread_.join();
  if (child_ > 0) {
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
  }
  if (to_child_ >= 0) ::close(to_child_);
  if (from_child_ >= 0) ::close(from_child_);
}

void EvilPeer::Start(uint16_t port) {
  if (mode_ == Mode::kThread) {
    thread_ = std::thread([this, port] {
      const bool ok = script_(port, log_);
      std::lock_guard<std::mutex> lock(mu_);
      result_ = ok;
      done_ = true;
    });
    return;
  }
  if (to_child_ >= 0) {
    [[maybe_unused]] ssize_t n = ::write(to_child_, &port, sizeof(port));
  }
}

bool EvilPeer::Join(std::chrono::milliseconds timeout, std::string* log) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (mode_ == Mode::kThread) {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (done_) break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        *log = log_.Text() + "# the peer did not finish in time\n";
        return false;  // the destructor joins it
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    thread_.join();
    *log = log_.Text();
    return result_;
  }
  if (child_ <= 0) {
    *log = "# fork failed\n";
    return false;
  }
  log->clear();
  char buf[4096];
  bool eof = false;
  while (!eof) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd p{from_child_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::read(from_child_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
    } else {
      log->append(buf, static_cast<size_t>(n));
    }
  }
  if (!eof) {
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
    child_ = -1;
    *log += "# the peer process did not finish in time\n";
    return false;
  }
  int status = 0;
  ::waitpid(child_, &status, 0);
  child_ = -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace respfuzz::server::testing
