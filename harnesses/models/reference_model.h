// The plain reference model of Redis 7.0.15 used by the command_handler
// harness: the same program of commands runs on the engine (src/engine/) and
// here, and every reply must match. Written separately from the engine, in
// the plainest style (std::map, std::set, std::vector, linear code), and
// checked against redis-server 7.0.15 (the recordings in tests/recordings/,
// played by tests/recordings_test.cc).
//
// A documented rule shared with the engine: SCAN validates its arguments as
// Redis does, then walks the db in the order of a documented hash
// (SipHash-2-4 under a fixed key), the cursor being the hash to resume at
// (docs/fidelity.md); where redis-server's split is deterministic (a db with
// fewer keys than COUNT: everything, cursor 0) it gives the same reply.
#ifndef RESPFUZZ_HARNESSES_MODELS_REFERENCE_MODEL_H_
#define RESPFUZZ_HARNESSES_MODELS_REFERENCE_MODEL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harnesses/models/reference_state.h"
#include "src/resp/value.h"

namespace respfuzz::models {

struct ReferenceOptions {
  int64_t start_ms = 1'700'000'000'000;          // virtual clock start (unix ms)
  int64_t max_string_len = 512LL * 1024 * 1024;  // proto-max-bulk-len (SETRANGE/APPEND limit)
  int sessions = 4;                              // sessions 0..sessions-1, client ids 1..sessions
  uint64_t random_seed = 0;             // SRANDMEMBER & co. choose as the engine with the same seed
  int64_t max_random_repeats = 100000;  // the most draws a negative count may ask for
  // Test hook (tests/command_handler_test.cc): a broken scripting model
  // whose Lua number -> integer reply rounds up instead of truncating.
  bool broken_script_numbers = false;
  // enable-debug-command local: DEBUG runs from the local sessions, those
  // below local_sessions (islocalClient), and CONFIG GET reports "local".
  bool debug_command = false;
  int local_sessions = 4;
};

class ReferenceModel {
 public:
  explicit ReferenceModel(ReferenceOptions options = {});
  // Runs one command (argv[0] = name, any case) for `session`. Returns the reply exactly as
  // our RESP reader would read the bytes real Redis 7.0 sends to that session, in the
  // session's current protocol (RESP2 until HELLO 3).
  resp::Value Execute(int session, const std::vector<std::string>& argv);
  void AdvanceClock(int64_t ms);  // virtual time moves forward (ms >= 0); timeouts fire
  // Blocking commands: a command that blocks its session returns a
  // placeholder (a default Value, never sent) and IsBlocked(session) holds until the session is
  // served, times out or is unblocked by CLIENT UNBLOCK; the reply it then
  // gets is among TakeDelivered(): (session, reply) in the order they were
  // sent, since the last take. The caller sends a blocked session nothing.
  bool IsBlocked(int session) const;
  // CLIENT PAUSE (reference_pause.cc): whether a pause is in force, whether
  // it has postponed any session, whether it would postpone `argv` from
  // `session` now.
  bool Paused() const { return state_.pause_type != refmodel::kPauseOff; }
  bool AnyPostponed() const { return !state_.postponed.empty(); }
  bool PausePostpones(int session, const std::vector<std::string>& argv) const {
    return refmodel::PausePostpones(state_, session, argv);
  }
  // Whether `argv` is a write or may replicate, as processCommand reads it.
  bool MayWrite(const std::vector<std::string>& argv) const {
    return refmodel::PauseMayReplicate(state_, argv);
  }
  std::vector<std::pair<int, resp::Value>> TakeDelivered();
  // Whether the last Execute had no reply of its own: SUBSCRIBE & co.,
  // whose confirmations are frames for the session itself, among
  // TakeDelivered() (with the pub/sub messages a session sent itself).
  bool NoReply() const { return state_.no_reply; }
  // How many of the frames the last Execute delivered to its own session
  // come before its reply (a monitor's line for its own command follows the
  // reply); all of them when it returns SIZE_MAX.
  size_t ReplyPosition() const { return state_.reply_position; }
  // notify-keyspace-events as refmodel::kNotify* bits (0: no events).
  int64_t notify_keyspace_events() const { return state_.config.notify_keyspace_events; }
  void ExpireAllDue();  // deletes every key that is expired now
  // DEBUG DIGEST's digest of the whole keyspace (40 hex digits).
  std::string DatasetDigest() const;
  int64_t now_ms() const;
  // Whether DEBUG RELOAD now would load a hash table hash back as a
  // listpack (short enough, no long field or value): its fields would then
  // be in the order the saving server's dict walked them, which neither
  // the model nor a second server can know.
  bool ReloadReordersAHash() const;

  // For a model layered on top (tracking_reference.h); none of these change
  // the replies above unless used.
  //
  // The session becomes a new connection with client id `id`: RESP2, db 0,
  // no transaction, no watched keys (freeClient + createClient).
  void ResetSession(int session, int64_t id);
  // Key-space events (signalModifiedKey, signalFlushedDb) are recorded from
  // now on; TakeEvents() returns those recorded since the last take.
  void set_log_events(bool on) { state_.log_events = on; }
  std::vector<refmodel::KeyEvent> TakeEvents();
  void set_hooks(refmodel::Hooks hooks) { state_.hooks = std::move(hooks); }
  const refmodel::Session& session(int s) const { return state_.sessions[s]; }

 private:
  refmodel::State state_;
};

}  // namespace respfuzz::models

#endif  // RESPFUZZ_HARNESSES_MODELS_REFERENCE_MODEL_H_
