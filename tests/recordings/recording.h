// Recordings of redis-server 7.0.15: named sequences of commands with the
// exact reply bytes the server sent, kept as data in tests/recordings/*.json
// (the format is described in tests/recordings/README.md). The runner
// (tests/recordings_test.cc) plays them against the engine and the reference
// model; the recorder (recorder.cc) plays them against a live server to
// check or re-record the bytes. This library only reads, writes and
// compares; it links neither the engine nor the model.
#ifndef RESPFUZZ_TESTS_RECORDINGS_RECORDING_H_
#define RESPFUZZ_TESTS_RECORDINGS_RECORDING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace respfuzz::recordings {

enum class StepKind {
  kCommand,       // a command sent by one session
  kSleep,         // time passes: the virtual clock advances, a live server is slept on
  kActiveExpire,  // every expired key is deleted (Redis's active expiry)
  kEndTurn,       // streams recordings: the event-loop turn of the command before ends
  kClose,         // streams recordings: session `session` closes its connection
};

// Bytes per session number (streams recordings): what each session received.
using SessionBytes = std::map<int, std::string>;

struct Step {
  StepKind kind = StepKind::kCommand;
  int session = 0;
  std::vector<std::string> argv;
  std::string reply;                  // bytes, in the protocol in effect (RESP2 pass)
  std::optional<std::string> reply3;  // the RESP3 pass's bytes when they differ
  bool unordered = false;             // the reply's elements come in no defined order
  bool client_id = false;             // the reply carries the session's client id (session + 1)
  bool clock_args = false;  // {now+N} / {now-N} arguments are unix ms from the player's clock
  int64_t slack = 0;        // a live server may reply an integer up to this much lower
  int64_t sleep_ms = 0;     // kSleep
  std::string why;          // why a step is flagged, for the reader and the reports
  // Streams recordings: what the other sessions received during a command
  // (or an active expiry), or every session at an end_turn; sessions not
  // named received nothing. pushes3: the RESP3 pass's, when it differs.
  SessionBytes pushes;
  std::optional<SessionBytes> pushes3;
};

struct Recording {
  std::string name;
  std::string about;
  std::vector<int> protocols = {2};  // one pass per protocol; 3: HELLO 3 on every session first
  int64_t proto_max_bulk_len = kDefaultProtoMaxBulkLen;
  std::vector<std::string> notes;  // documented deviations and other remarks
  // Every session's whole output is recorded: replies with the pushes after
  // them, other sessions' pushes, turn ends (see README.md).
  bool streams = false;
  // Played on the engine only: the reference model does not implement the
  // recording's commands yet (scripting: EVAL, SCRIPT, FUNCTION, FCALL).
  bool engine_only = false;
  std::vector<Step> steps;

  static constexpr int64_t kDefaultProtoMaxBulkLen = 512ll * 1024 * 1024;

  int sessions() const;  // 1 + the highest session a step uses (sends, closes, receives, names)
  // The bytes expected for `step` in the pass of `protocol`.
  const std::string& Expected(const Step& step, int protocol) const {
    return protocol == 3 && step.reply3 ? *step.reply3 : step.reply;
  }
  const SessionBytes& ExpectedPushes(const Step& step, int protocol) const {
    return protocol == 3 && step.pushes3 ? *step.pushes3 : step.pushes;
  }
};

struct RecordingFile {
  std::string path;
  std::string family;
  std::string server;
  // Played on the reference model only: the engine does not implement the
  // file's commands yet (streams.json until the engine has streams).
  bool model_only = false;
  std::vector<Recording> recordings;
};

// Reads and validates one file (names, step fields, replies that parse as
// exactly one RESP value).
absl::StatusOr<RecordingFile> LoadFile(const std::string& path);
// Every *.json under `dir`, sorted by name.
absl::StatusOr<std::vector<RecordingFile>> LoadDirectory(const std::string& dir);
// The canonical text of a file: what LoadFile reads back unchanged. One step
// per line, strings as in EncodeBytes.
std::string Serialize(const RecordingFile& file);

// The JSON string literal (quotes included) for bytes: printable ASCII as
// is, \r \n \t \" \\ as usual, every other byte b as \u00XX. Decoding takes
// each code point U+0000..U+00FF as one byte and refuses anything above.
std::string EncodeBytes(std::string_view bytes);
// Bytes from a decoded JSON string (UTF-8 of code points <= U+00FF).
absl::StatusOr<std::string> DecodeBytes(std::string_view utf8);

// One readable line for bytes in failure messages: like EncodeBytes without
// the quotes.
std::string Escaped(std::string_view bytes);
std::string DescribeArgv(const std::vector<std::string>& argv);

// The reply with its unordered elements sorted, as the old tests compared
// them: HGETALL by field/value pair, SCAN's key list, and the elements of
// every other aggregate. Bytes that do not parse come back unchanged.
std::string Canonical(const std::vector<std::string>& argv, std::string_view reply);
// Whether `unordered` may be set on a step sending argv.
bool MayBeUnordered(const std::vector<std::string>& argv);

// SLOWLOG GET's reply with what differs from run to run masked, as every
// side of a recording is compared (README.md, "The slow log"): in each
// entry the time and the duration read 0, an address other than the script
// client's "?:0" reads "(addr)", and the id counts from the smallest id of
// the first non-empty SLOWLOG GET reply of the pass (`*base`, set then; a
// server's ids go on from run to run, the engine's and the model's start at
// 0). Args, names and the ids' order and gaps are kept. Any other reply,
// and bytes that are not one array of entries, come back unchanged.
bool IsSlowlogGet(const std::vector<std::string>& argv);
std::string MaskSlowlog(const std::vector<std::string>& argv, std::string_view reply,
                        std::optional<int64_t>* base);

// `arg` with a {now+N} / {now-N} placeholder replaced by now_ms +/- N.
std::string SubstituteClock(const std::string& arg, int64_t now_ms);
// The session N of an argument that is exactly {id:N} (a client_id step's
// stand-in for session N's client id), or -1.
int IdPlaceholder(const std::string& arg);
// The number of complete RESP values `bytes` holds, or -1 when they do not
// end at a value's end or do not parse.
int CountValues(std::string_view bytes);

}  // namespace respfuzz::recordings

#endif  // RESPFUZZ_TESTS_RECORDINGS_RECORDING_H_
