// engine::Engine: an in-memory keyspace with Redis 7.0 command semantics,
// shared by any number of sessions (clients), on a virtual clock.
//
//   Engine e;
//   int s = e.OpenSession();
//   std::string out;
//   e.Execute(s, {"SET", "k", "v"}, &out);   // out == "+OK\r\n"
//
// Replies are written in the session's protocol (RESP2 until HELLO 3).
#ifndef RESPFUZZ_ENGINE_ENGINE_H_
#define RESPFUZZ_ENGINE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "src/engine/command.h"
#include "src/engine/keyspace.h"
#include "src/resp/value.h"

namespace respfuzz::engine {

struct EngineOptions {
  static constexpr int64_t kDefaultStartMs = 1'700'000'000'000;  // 2023-11-14
  static constexpr int64_t kDefaultMaxStringLen = 512ll * 1024 * 1024;
  static constexpr int kDefaultDbs = 16;

  int64_t start_ms = kDefaultStartMs;             // the virtual clock's start, unix ms
  int64_t max_string_len = kDefaultMaxStringLen;  // proto-max-bulk-len
  int num_dbs = kDefaultDbs;
};

struct WatchedKey {
  int db;
  std::string key;
  bool expired_at_watch;  // the key was logically expired when WATCH ran
  uint64_t seq = 0;       // WATCH order over all sessions (Redis's per-key watcher list)
};

struct Session {
  int64_t id = 0;  // CLIENT ID
  bool open = false;
  resp::Protocol protocol = resp::Protocol::kResp2;
  int db = 0;
  bool in_multi = false;
  bool exec_abort = false;  // a command was rejected while queueing (EXECABORT)
  bool dirty_cas = false;   // a watched key was modified
  std::vector<std::vector<std::string>> queued;
  std::vector<WatchedKey> watched;
  std::string name;  // HELLO SETNAME
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Sessions get increasing client ids starting at 1; handles are reused
  // after CloseSession, ids never are.
  int OpenSession();
  void CloseSession(int session);
  const Session& session(int s) const { return *sessions_[s]; }
  size_t session_count() const { return sessions_.size(); }

  // Runs one command and appends its reply to *out.
  void Execute(int session, std::span<const std::string> argv, std::string* out);

  int64_t now_ms() const { return clock_.now_ms(); }
  void AdvanceClock(int64_t ms) { clock_.Advance(ms); }
  // Deletes every expired key now (Redis's active expiry, all at once).
  size_t ActiveExpire() { return keyspace_.ActiveExpire(); }

  Keyspace& keyspace() { return keyspace_; }
  const Keyspace& keyspace() const { return keyspace_; }
  const EngineOptions& options() const { return options_; }

  // Subscribes to key modification events (db, key, kind).
  void AddKeyEventListener(KeyEventListener l) { keyspace_.AddListener(std::move(l)); }

  // Checks internal consistency: the keyspace (TTLs, no empty aggregates,
  // sorted-set indexes) and the sessions (transaction and WATCH state).
  absl::Status Validate() const;

  // Stops all of a session's WATCHes (UNWATCH, EXEC, DISCARD, a dirtied watch).
  void Unwatch(Session& s);

 private:
  void Dispatch(Session& s, std::span<const std::string> argv, std::string* out);
  void Call(Session& s, const CommandSpec& spec, std::span<const std::string> argv,
            std::string* out);
  void Exec(Session& s, std::string* out);
  void Watch(Session& s, std::span<const std::string> argv, std::string* out);
  void DiscardTransaction(Session& s);
  void OnKeyEvent(const KeyEvent& ev);
  bool WatchedKeyExpired(const Session& s) const;

  EngineOptions options_;
  VirtualClock clock_;
  Keyspace keyspace_;
  std::vector<std::unique_ptr<Session>> sessions_;
  int64_t next_client_id_ = 1;
  size_t watch_count_ = 0;
  uint64_t next_watch_seq_ = 1;  // WATCHed keys over all sessions (skips the event scan when 0)
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_ENGINE_H_
