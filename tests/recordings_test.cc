// Plays every recording of redis-server 7.0.15 (tests/recordings/*.json, the
// format in tests/recordings/README.md) against the engine and against the
// reference model: every reply must be the recorded bytes exactly (replies
// flagged unordered are compared with their elements sorted on both sides),
// and Engine::Validate() must hold after every step. One test case per
// family (file); every recording of it, both targets and every protocol pass
// run in it, and a failure names the recording. A streams
// recording (tracking.json) is played on the engine's output streams and on
// the tracking reference model: every session's bytes after every step.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harnesses/models/reference_model.h"
#include "harnesses/models/tracking_reference.h"
#include "src/engine/engine.h"
#include "src/resp/writer.h"
#include "tests/recordings/recording.h"

namespace respfuzz::recordings {
namespace {

// The engine or the model, seen the same way.
class Target {
 public:
  virtual ~Target() = default;
  virtual std::string Execute(int session, const std::vector<std::string>& argv) = 0;
  virtual void Sleep(int64_t ms) = 0;
  virtual void ActiveExpire() = 0;
  virtual int64_t now_ms() const = 0;
  // Internal consistency after a step; empty when fine.
  virtual std::string Check() const { return ""; }
};

class EngineTarget : public Target {
 public:
  EngineTarget(const Recording& rec, std::function<void(size_t, std::string*)> corrupt)
      : engine_(Options(rec)), corrupt_(std::move(corrupt)) {
    for (int i = 0; i < rec.sessions(); ++i) sessions_.push_back(engine_.OpenSession());
  }
  std::string Execute(int session, const std::vector<std::string>& argv) override {
    std::string out;
    engine_.Execute(sessions_[session], argv, &out);
    if (corrupt_) corrupt_(calls_, &out);
    ++calls_;
    return out;
  }
  void Sleep(int64_t ms) override { engine_.AdvanceClock(ms); }
  void ActiveExpire() override { engine_.ExpireAllDue(); }
  int64_t now_ms() const override { return engine_.now_ms(); }
  std::string Check() const override {
    const absl::Status st = engine_.Validate();
    return st.ok() ? "" : st.ToString();
  }

 private:
  static engine::EngineOptions Options(const Recording& rec) {
    engine::EngineOptions o;
    o.max_string_len = rec.proto_max_bulk_len;
    return o;
  }
  engine::Engine engine_;
  std::vector<int> sessions_;
  std::function<void(size_t, std::string*)> corrupt_;
  size_t calls_ = 0;
};

class ModelTarget : public Target {
 public:
  explicit ModelTarget(const Recording& rec) : model_(Options(rec)) {}
  // The model answers with the value our reader would read; written back in
  // RESP3 form every type keeps its own bytes (RESP2 nulls included), and
  // doubles are printed as Redis 7.0 prints them.
  std::string Execute(int session, const std::vector<std::string>& argv) override {
    return resp::Write(model_.Execute(session, argv), resp::Protocol::kResp3,
                       resp::DoubleStyle::kRedis70);
  }
  void Sleep(int64_t ms) override { model_.AdvanceClock(ms); }
  void ActiveExpire() override { model_.ExpireAllDue(); }
  int64_t now_ms() const override { return model_.now_ms(); }

 private:
  static models::ReferenceOptions Options(const Recording& rec) {
    models::ReferenceOptions o;
    o.max_string_len = rec.proto_max_bulk_len;
    o.sessions = rec.sessions();
    return o;
  }
  models::ReferenceModel model_;
};

// The engine's or the tracking model's output streams: what each session
// received (index = session) after each step.
class StreamTarget {
 public:
  virtual ~StreamTarget() = default;
  virtual std::vector<std::string> Run(int session, const std::vector<std::string>& argv) = 0;
  virtual std::vector<std::string> EndTurn() = 0;
  virtual std::vector<std::string> ActiveExpire() = 0;
  virtual void Close(int session) = 0;
  virtual void Sleep(int64_t ms) = 0;
  virtual int64_t now_ms() const = 0;
  virtual std::string Check() const { return ""; }
};

class EngineStreams : public StreamTarget {
 public:
  EngineStreams(const Recording& rec, std::function<void(std::vector<std::string>*)> corrupt)
      : engine_(Options(rec)), corrupt_(std::move(corrupt)) {
    for (int i = 0; i < rec.sessions(); ++i) sessions_.push_back(engine_.OpenSession());
  }
  std::vector<std::string> Run(int session, const std::vector<std::string>& argv) override {
    engine_.Run(sessions_[session], argv);
    return Take();
  }
  std::vector<std::string> EndTurn() override {
    engine_.EndTurn();
    return Take();
  }
  std::vector<std::string> ActiveExpire() override {
    engine_.ExpireAllDue();
    return Take();
  }
  void Close(int session) override {
    engine_.CloseSession(sessions_[session]);
    closed_.insert(session);
  }
  void Sleep(int64_t ms) override { engine_.AdvanceClock(ms); }
  int64_t now_ms() const override { return engine_.now_ms(); }
  std::string Check() const override {
    const absl::Status st = engine_.Validate();
    return st.ok() ? "" : st.ToString();
  }

 private:
  static engine::EngineOptions Options(const Recording& rec) {
    engine::EngineOptions o;
    o.max_string_len = rec.proto_max_bulk_len;
    return o;
  }
  std::vector<std::string> Take() {
    std::vector<std::string> out(sessions_.size());
    for (size_t s = 0; s < sessions_.size(); ++s) {
      if (!closed_.count(static_cast<int>(s))) out[s] = engine_.TakeOutput(sessions_[s]);
    }
    if (corrupt_) corrupt_(&out);
    return out;
  }
  engine::Engine engine_;
  std::vector<int> sessions_;
  std::set<int> closed_;
  std::function<void(std::vector<std::string>*)> corrupt_;
};

class TrackingModelStreams : public StreamTarget {
 public:
  explicit TrackingModelStreams(const Recording& rec) : model_(Options(rec)), n_(rec.sessions()) {
    for (int i = 0; i < n_; ++i) model_.Connect(i);
  }
  std::vector<std::string> Run(int session, const std::vector<std::string>& argv) override {
    model_.Execute(session, argv);
    return Take();
  }
  std::vector<std::string> EndTurn() override {
    model_.EndOfTurn();
    return Take();
  }
  std::vector<std::string> ActiveExpire() override {
    model_.ExpireAllDue();
    return Take();
  }
  void Close(int session) override { model_.Close(session); }
  void Sleep(int64_t ms) override { model_.AdvanceClock(ms); }
  int64_t now_ms() const override { return model_.commands().now_ms(); }
  std::string Check() const override {
    return model_.unmodelled() ? "the program left the tracking model" : "";
  }

 private:
  static models::TrackingOptions Options(const Recording& rec) {
    models::TrackingOptions o;
    o.slots = rec.sessions();
    o.max_string_len = rec.proto_max_bulk_len;
    return o;
  }
  std::vector<std::string> Take() {
    std::vector<std::string> out(n_);
    for (int s = 0; s < n_; ++s) {
      if (!model_.connected(s)) continue;
      for (const models::OutFrame& f : model_.TakeFrames(s)) out[s] += f.bytes;
    }
    return out;
  }
  models::TrackingReference model_;
  int n_;
};

// Why each session's bytes are not the recorded ones after step `index`
// (`what` names the step or the implicit turn end after it).
void CompareStreams(const std::string& label, const Recording& rec, size_t index, int protocol,
                    const std::string& what, const std::vector<std::string>& expected,
                    const std::vector<std::string>& actual, std::vector<std::string>* failures) {
  for (size_t s = 0; s < expected.size(); ++s) {
    if (actual[s] == expected[s]) continue;
    failures->push_back(absl::StrCat(label, ", RESP", protocol, " pass, step ", index, " ", what,
                                     ", session ", s, ":\n    expected: ", EncodeBytes(expected[s]),
                                     "\n    actual:   ", EncodeBytes(actual[s])));
  }
}

// Plays one pass of a streams recording on `target`; returns the mismatches.
std::vector<std::string> PlayStreams(const std::string& label, const Recording& rec, int protocol,
                                     StreamTarget& target) {
  std::vector<std::string> failures;
  const int n = rec.sessions();
  if (protocol == 3) {
    for (int s = 0; s < n; ++s) target.Run(s, {"HELLO", "3"});
  }
  auto expected = [&](const Step& step) {
    std::vector<std::string> out(n);
    for (const auto& [s, bytes] : rec.ExpectedPushes(step, protocol)) out[s] = bytes;
    if (step.kind == StepKind::kCommand) out[step.session] = rec.Expected(step, protocol);
    return out;
  };
  for (size_t i = 0; i < rec.steps.size(); ++i) {
    const Step& step = rec.steps[i];
    std::vector<std::string> actual;
    std::string what;
    switch (step.kind) {
      case StepKind::kSleep:
        target.Sleep(step.sleep_ms);
        continue;
      case StepKind::kClose:
        target.Close(step.session);
        continue;
      case StepKind::kActiveExpire:
        actual = target.ActiveExpire();
        what = "(active expiry)";
        break;
      case StepKind::kEndTurn:
        actual = target.EndTurn();
        what = "(end of turn)";
        break;
      case StepKind::kCommand: {
        std::vector<std::string> argv = step.argv;
        for (std::string& a : argv) {
          if (step.clock_args) a = SubstituteClock(a, target.now_ms());
          if (const int id = IdPlaceholder(a); id >= 0) a = std::to_string(id + 1);
        }
        actual = target.Run(step.session, argv);
        what = DescribeArgv(argv);
        break;
      }
    }
    CompareStreams(label, rec, i, protocol, what, expected(step), actual, &failures);
    // Every command is one turn: without an end_turn step after it, the
    // turn's end sends nothing.
    if (step.kind == StepKind::kCommand &&
        (i + 1 == rec.steps.size() || rec.steps[i + 1].kind != StepKind::kEndTurn)) {
      CompareStreams(label, rec, i, protocol, "(its turn's end, not recorded: nothing)",
                     std::vector<std::string>(n), target.EndTurn(), &failures);
    }
    const std::string broken = target.Check();
    if (!broken.empty()) {
      failures.push_back(
          absl::StrCat(label, ", RESP", protocol, " pass, step ", i, ": ", what, ": ", broken));
    }
  }
  return failures;
}

// Why `actual` is not the reply recorded for step `index` in the pass of
// `protocol`; empty when it is.
std::string CompareStep(const std::string& label, const Recording& rec, size_t index, int protocol,
                        const std::vector<std::string>& argv, const std::string& actual) {
  const Step& step = rec.steps[index];
  const std::string& expected = rec.Expected(step, protocol);
  if (actual == expected) return "";
  if (step.unordered && Canonical(argv, actual) == Canonical(argv, expected)) return "";
  std::string msg =
      absl::StrCat(label, ", RESP", protocol, " pass, step ", index, " (session ", step.session,
                   "): ", DescribeArgv(argv), "\n    expected: ", EncodeBytes(expected),
                   "\n    actual:   ", EncodeBytes(actual));
  if (step.unordered) {
    absl::StrAppend(&msg, "\n    sorted expected: ", EncodeBytes(Canonical(argv, expected)),
                    "\n    sorted actual:   ", EncodeBytes(Canonical(argv, actual)));
  }
  return msg;
}

// Plays one pass of `rec` on `target`; returns the mismatches.
std::vector<std::string> Play(const std::string& label, const Recording& rec, int protocol,
                              Target& target) {
  std::vector<std::string> failures;
  if (protocol == 3) {
    // The pass's protocol switch, not a step: HELLO 3's reply is recorded in
    // connection.json.
    for (int s = 0; s < rec.sessions(); ++s) target.Execute(s, {"HELLO", "3"});
  }
  std::optional<int64_t> slowlog_base;  // MaskSlowlog's, for this pass
  for (size_t i = 0; i < rec.steps.size(); ++i) {
    const Step& step = rec.steps[i];
    switch (step.kind) {
      case StepKind::kSleep:
        target.Sleep(step.sleep_ms);
        continue;
      case StepKind::kActiveExpire:
        target.ActiveExpire();
        continue;
      case StepKind::kEndTurn:
      case StepKind::kClose:  // the loader allows these in streams recordings only
      case StepKind::kCommand:
        break;
    }
    std::vector<std::string> argv = step.argv;
    if (step.clock_args) {
      for (std::string& a : argv) a = SubstituteClock(a, target.now_ms());
    }
    // SLOWLOG GET: the recorded bytes are masked (MaskSlowlog), the
    // target's are masked alike.
    const std::string actual = MaskSlowlog(argv, target.Execute(step.session, argv), &slowlog_base);
    std::string why = CompareStep(label, rec, i, protocol, argv, actual);
    if (!why.empty()) failures.push_back(std::move(why));
    const std::string broken = target.Check();
    if (!broken.empty()) {
      failures.push_back(absl::StrCat(label, ", RESP", protocol, " pass, step ", i,
                                      ": Validate() fails after ", DescribeArgv(argv), ": ",
                                      broken));
    }
  }
  return failures;
}

// Every failure of a recording on both targets, all passes.
std::vector<std::string> PlayAll(
    const std::string& name, const Recording& rec,
    std::function<void(size_t, std::string*)> corrupt = nullptr,
    std::function<void(std::vector<std::string>*)> corrupt_streams = nullptr,
    bool model_only = false) {
  std::vector<std::string> failures;
  if (rec.streams) {
    for (int protocol : rec.protocols) {
      EngineStreams engine(rec, corrupt_streams);
      for (std::string& f : PlayStreams("engine: " + name, rec, protocol, engine)) {
        failures.push_back(std::move(f));
      }
      TrackingModelStreams model(rec);
      for (std::string& f : PlayStreams("tracking model: " + name, rec, protocol, model)) {
        failures.push_back(std::move(f));
      }
    }
    return failures;
  }
  for (int protocol : rec.protocols) {
    if (model_only) {  // a "model_only" file: the engine lacks its commands yet
      ModelTarget model(rec);
      for (std::string& f : Play("model: " + name, rec, protocol, model)) {
        failures.push_back(std::move(f));
      }
      continue;
    }
    EngineTarget engine(rec, corrupt);
    for (std::string& f : Play("engine: " + name, rec, protocol, engine)) {
      failures.push_back(std::move(f));
    }
    if (rec.engine_only) continue;
    ModelTarget model(rec);
    for (std::string& f : Play("model: " + name, rec, protocol, model)) {
      failures.push_back(std::move(f));
    }
  }
  return failures;
}

// One test case per family (file): registering a case per recording would
// parse every file when the test binary starts, which each of the binary's
// test processes then pays (about half a second under ASan).
struct Case {
  std::string family;  // the file's stem: keys for keys.json
};

// GoogleTest shows the parameter by this (in listings and failures).
void PrintTo(const Case& c, std::ostream* os) { *os << c.family; }

const std::vector<RecordingFile>& Files(std::string* error) {
  static std::string load_error;
  static const std::vector<RecordingFile> files = [] {
    absl::StatusOr<std::vector<RecordingFile>> f =
        LoadDirectory(std::string(RESPFUZZ_SOURCE_DIR) + "/tests/recordings");
    if (!f.ok()) {
      load_error = f.status().ToString();
      return std::vector<RecordingFile>{};
    }
    return *std::move(f);
  }();
  *error = load_error;
  return files;
}

// The families from the file names alone (nothing is parsed here).
std::vector<Case> AllFamilies() {
  std::vector<Case> cases;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(RESPFUZZ_SOURCE_DIR) + "/tests/recordings", ec)) {
    if (entry.path().extension() == ".json") cases.push_back({entry.path().stem().string()});
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.family < b.family; });
  return cases;
}

class RecordingTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecordingTest, Plays) {
  const Case& c = GetParam();
  std::string error;
  const std::vector<RecordingFile>& files = Files(&error);
  ASSERT_TRUE(error.empty()) << error;
  const RecordingFile* file = nullptr;
  for (const RecordingFile& f : files) {
    if (f.family == c.family) file = &f;
  }
  ASSERT_NE(file, nullptr) << "no family " << c.family << " after loading";
  ASSERT_FALSE(file->recordings.empty()) << c.family;
  size_t failed = 0;
  for (const Recording& r : file->recordings) {
    const std::vector<std::string> failures =
        PlayAll(c.family + "_" + r.name, r, nullptr, nullptr, file->model_only);
    // The first few: once the state diverges, later steps fail as a consequence.
    for (size_t i = 0; i < failures.size() && i < 8; ++i) ADD_FAILURE() << failures[i];
    if (!failures.empty()) {
      ++failed;
      ADD_FAILURE() << c.family << "_" << r.name << ": " << failures.size() << " mismatches in all";
    }
  }
  EXPECT_EQ(failed, 0u) << "of " << file->recordings.size() << " recordings in " << c.family;
}

INSTANTIATE_TEST_SUITE_P(Recordings, RecordingTest, ::testing::ValuesIn(AllFamilies()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.family;
                         });

TEST(RecordingsTest, EveryFamilyIsThere) {
  std::string error;
  const std::vector<RecordingFile>& files = Files(&error);
  ASSERT_TRUE(error.empty()) << error;
  std::vector<std::string> families;
  for (const RecordingFile& f : files) families.push_back(f.family);
  EXPECT_EQ(
      families,
      (std::vector<std::string>{
          "acl",       "acl_engine",   "bitops",  "connection",  "dump",           "function_dump",
          "functions", "geo",          "hashes",  "hyperloglog", "introspection",  "keys",
          "lists",     "pause",        "persist", "pubsub",      "random_scan",    "scripting",
          "sets",      "slowlog",      "sort",    "streams",     "streams_engine", "strings",
          "tracking",  "transactions", "zsetops", "zsets"}));
}

// The facts moved out of the old C++ tables (4111 command steps: 3707
// recorded replies and 404 setup commands that replaced direct keyspace
// writes) are all still here, and the 220 of tracking.json; new recordings
// only raise the count (bitops.json, TouchExpireTime in keys.json and Lcs in
// strings.json were recorded since, and count too).
TEST(RecordingsTest, NoRecordedStepWasLost) {
  std::string error;
  const std::vector<RecordingFile>& files = Files(&error);
  ASSERT_TRUE(error.empty()) << error;
  std::map<std::string, size_t> commands;
  for (const RecordingFile& f : files) {
    for (const Recording& r : f.recordings) {
      for (const Step& s : r.steps) commands[f.family] += s.kind == StepKind::kCommand;
    }
  }
  const std::map<std::string, size_t> floor = {
      {"bitops", 343},      {"connection", 232},    {"hashes", 220}, {"keys", 649},
      {"lists", 409},       {"scripting", 217},     {"sets", 281},   {"strings", 667},
      {"tracking", 220},    {"transactions", 1059}, {"zsets", 671},  {"zsetops", 204},
      {"random_scan", 140}, {"streams", 1017},      {"sort", 179}};
  for (const auto& [family, n] : floor) EXPECT_GE(commands[family], n) << family;
}

std::string LoadError(const std::string& recording) {
  const std::string path = ::testing::TempDir() + "/recording_load_test.json";
  std::ofstream(path) << R"({"family": "f", "server": "s", "recordings": [)" << recording << "]}";
  absl::StatusOr<RecordingFile> f = LoadFile(path);
  return f.ok() ? "" : std::string(f.status().message());
}

// The file-level "model_only" flag: true or absent, never beside a streams
// or engine_only recording, and kept by the canonical form.
TEST(RecordingsTest, TheModelOnlyFlag) {
  const std::string path = ::testing::TempDir() + "/recording_model_only_test.json";
  auto load = [&](const std::string& flag, const std::string& rec_fields) {
    std::ofstream(path) << R"({"family": "f", "server": "s", )" << flag
                        << R"("recordings": [{"name": "r", )" << rec_fields
                        << R"("steps": [{"cmd": ["PING"], "reply": "+PONG\r\n"}]}]})";
    return LoadFile(path);
  };
  absl::StatusOr<RecordingFile> f = load(R"("model_only": true, )", "");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->model_only);
  EXPECT_NE(Serialize(*f).find("  \"model_only\": true,\n"), std::string::npos);
  EXPECT_FALSE(load("", "")->model_only);
  EXPECT_EQ(Serialize(*load("", "")).find("model_only"), std::string::npos);
  f = load(R"("model_only": false, )", "");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("\"model_only\" is true or absent"), std::string::npos);
  f = load(R"("model_only": true, )", R"("engine_only": true, )");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("engine_only"), std::string::npos);
}

TEST(RecordingsTest, TheLoaderRefusesMistakes) {
  auto rec = [](const std::string& step) { return R"({"name": "r", "steps": [)" + step + "]}"; };
  EXPECT_EQ(LoadError(rec(R"({"cmd": ["PING"], "reply": "+PONG\r\n"})")), "");
  for (const auto& [step, why] : std::vector<std::pair<std::string, std::string>>{
           {R"({"cmd": ["PING"], "reply": "+PONG\r\n", "unorderd": true})", "unknown field"},
           {R"({"cmd": ["PING"], "reply": "+PONG"})", "not exactly one RESP value"},
           {R"({"cmd": ["PING"], "reply": "+PONG\r\n+PONG\r\n"})", "not exactly one RESP value"},
           {R"({"cmd": ["PING"]})", "no \"reply\""},
           {R"({"cmd": ["GET", "\u0100"], "reply": "$-1\r\n"})", "above U+00FF"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "reply3": "_\r\n"})", "reply3"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "unordered": true})", "order is defined"},
           {R"({"cmd": ["TTL", "k"], "reply": ":1\r\n", "slack": 1})", "needs a \"why\""},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "slack": 1, "why": "w"})", "integer"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "clock_args": true})", "{now+N}"},
           {R"({"sleep_ms": -1})", "non-negative"},
           {R"({"end_turn": true})", "needs \"streams\": true"},
           {R"({"close": 1})", "needs \"streams\": true"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "pushes": {"1": "_\r\n"}})",
            "needs \"streams\": true"},
           {R"({"cmd": ["CLIENT", "KILL", "ID", "{id:1}"], "reply": ":1\r\n"})",
            "needs \"client_id\""},
       }) {
    const std::string error = LoadError(rec(step));
    EXPECT_NE(error.find(why), std::string::npos) << step << " gave: " << error;
  }
  // Streams recordings: every session's bytes.
  auto streams = [](const std::string& steps) {
    return R"({"name": "r", "protocols": [2, 3], "streams": true, "steps": [)" + steps + "]}";
  };
  EXPECT_EQ(LoadError(streams(R"({"cmd": ["SET", "k", "v"], "reply": "+OK\r\n+OK\r\n",)"
                              R"( "pushes": {"1": ">2\r\n$10\r\ninvalidate\r\n_\r\n"}},)"
                              R"({"end_turn": true, "pushes": {"0": ":1\r\n"}}, {"close": 1})")),
            "");
  for (const auto& [step, why] : std::vector<std::pair<std::string, std::string>>{
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "pushes": {"x": "_\r\n"}})",
            "keyed by session numbers"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "pushes": {"16": "_\r\n"}})",
            "keyed by session numbers"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "pushes": {"1": "_\r"}})",
            "one or more RESP values"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "pushes": {"1": ""}})",
            "one or more RESP values"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "pushes": {"0": "_\r\n"}})",
            "names the sending session"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r\n", "pushes": {"1": "_\r\n"},)"
            R"( "pushes3": {"1": "_\r\n"}})",
            "\"pushes3\" equals"},
           {R"({"cmd": ["GET", "k"], "reply": "$-1\r"})", "zero or more RESP values"},
           {R"({"cmd": ["SMEMBERS", "k"], "reply": "*0\r\n", "unordered": true})",
            "not for streams"},
           {R"({"sleep_ms": 1}, {"end_turn": true})", "follows a command step"},
           {R"({"end_turn": true, "close": 1})", "unknown field"},
           {R"({"close": 16})", "0..15"},
       }) {
    const std::string error = LoadError(streams(step));
    EXPECT_NE(error.find(why), std::string::npos) << step << " gave: " << error;
  }
  EXPECT_NE(LoadError(R"({"name": "r", "streams": true, "steps": [{"cmd": ["GET", "k"], )"
                      R"("reply": "$-1\r\n", "pushes": {"1": "_\r\n"}, "pushes3": {}}]})")
                .find("needs \"protocols\": [2, 3]"),
            std::string::npos);
  EXPECT_NE(LoadError(R"({"name": "r", "streams": false, "steps": [{"sleep_ms": 1}]})")
                .find("\"streams\" is true or absent"),
            std::string::npos);
  EXPECT_NE(LoadError(R"({"name": "a b", "steps": [{"sleep_ms": 1}]})").find("\"name\""),
            std::string::npos);
  EXPECT_NE(
      LoadError(R"({"name": "r", "protocols": [3, 2], "steps": [{"sleep_ms": 1}]})").find("[2, 3]"),
      std::string::npos);
  EXPECT_NE(LoadError(rec(R"({"sleep_ms": 1})") + "," + rec(R"({"sleep_ms": 1})"))
                .find("two recordings named r"),
            std::string::npos);
}

// The files are as the recorder writes them (Serialize), so re-recording
// changes only what the server changed.
TEST(RecordingsTest, FilesAreInCanonicalForm) {
  std::string error;
  const std::vector<RecordingFile>& files = Files(&error);
  ASSERT_TRUE(error.empty()) << error;
  for (const RecordingFile& f : files) {
    std::ifstream in(f.path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), Serialize(f)) << f.path << " is not in canonical form";
  }
}

TEST(RecordingsTest, BytesSurviveTheJsonEscaping) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::string literal = EncodeBytes(all);
  EXPECT_EQ(literal.substr(0, 19), "\"\\u0000\\u0001\\u0002");
  EXPECT_NE(literal.find("\\t\\n\\u000b\\u000c\\r"), std::string::npos);
  EXPECT_NE(literal.find(" !\\\"#"), std::string::npos);
  EXPECT_NE(literal.find("~\\u007f\\u0080"), std::string::npos);
  EXPECT_EQ(literal.substr(literal.size() - 7), "\\u00ff\"");
  // What a JSON parser makes of the literal (UTF-8) decodes back to the bytes.
  std::string utf8;
  for (int b = 0; b < 256; ++b) {
    if (b < 0x80) {
      utf8 += static_cast<char>(b);
    } else {
      utf8 += static_cast<char>(0xc0 | (b >> 6));
      utf8 += static_cast<char>(0x80 | (b & 0x3f));
    }
  }
  EXPECT_EQ(DecodeBytes(utf8).value(), all);
  EXPECT_FALSE(DecodeBytes("\xc4\x80").ok());  // U+0100
  EXPECT_FALSE(DecodeBytes("\xff").ok());      // not UTF-8
}

// The runner can fail: a recorded byte changed, or the engine's reply bytes
// changed, must each come out as a mismatch at that step.
Recording SmallRecording() {
  Recording rec;
  rec.name = "small";
  rec.protocols = {2, 3};
  auto cmd = [](std::vector<std::string> argv, std::string reply) {
    Step s;
    s.argv = std::move(argv);
    s.reply = std::move(reply);
    return s;
  };
  rec.steps.push_back(cmd({"SET", "k", "v"}, "+OK\r\n"));
  rec.steps.push_back(cmd({"GET", "k"}, "$1\r\nv\r\n"));
  rec.steps.push_back(cmd({"GET", "nokey"}, "$-1\r\n"));
  rec.steps.back().reply3 = "_\r\n";
  rec.steps.push_back(cmd({"SADD", "s", "a", "b", "c"}, ":3\r\n"));
  rec.steps.push_back(cmd({"SMEMBERS", "s"}, "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n"));
  rec.steps.back().reply3 = "~3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n";
  rec.steps.back().unordered = true;
  return rec;
}

TEST(RecordingsTest, ACorrectRecordingPlaysClean) {
  EXPECT_EQ(PlayAll("small", SmallRecording()), std::vector<std::string>{});
}

TEST(RecordingsTest, AWrongRecordedByteIsAMismatch) {
  Recording rec = SmallRecording();
  rec.steps[1].reply[4] = 'w';  // $1\r\nw\r\n
  const std::vector<std::string> failures = PlayAll("small", rec);
  // Both targets, both passes, at step 1 and nowhere else.
  ASSERT_EQ(failures.size(), 4u);
  for (const std::string& f : failures) {
    EXPECT_NE(f.find("step 1 (session 0): \"GET\" \"k\""), std::string::npos) << f;
    EXPECT_NE(f.find("expected: \"$1\\r\\nw\\r\\n\""), std::string::npos) << f;
    EXPECT_NE(f.find("actual:   \"$1\\r\\nv\\r\\n\""), std::string::npos) << f;
  }
  // Sorting does not hide a wrong element of an unordered reply.
  rec = SmallRecording();
  rec.steps[4].reply = "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n";
  ASSERT_EQ(PlayAll("small", rec).size(), 2u);  // the RESP2 pass of each target
  rec = SmallRecording();
  rec.steps[2].reply3 = "$-1\r\n";  // the RESP3 pass's own bytes are checked
  ASSERT_EQ(PlayAll("small", rec).size(), 2u);
}

// A streams recording: session 1 reads k with tracking on, session 0 writes
// it; session 1 is told, and nothing else happens anywhere.
Recording SmallStreamsRecording() {
  Recording rec;
  rec.name = "small_streams";
  rec.protocols = {3};
  rec.streams = true;
  auto cmd = [](int s, std::vector<std::string> argv, std::string reply, SessionBytes pushes) {
    Step st;
    st.session = s;
    st.argv = std::move(argv);
    st.reply = std::move(reply);
    st.pushes = std::move(pushes);
    return st;
  };
  rec.steps.push_back(cmd(1, {"CLIENT", "TRACKING", "on"}, "+OK\r\n", {}));
  rec.steps.push_back(cmd(1, {"GET", "k"}, "_\r\n", {}));
  rec.steps.push_back(
      cmd(0, {"SET", "k", "v"}, "+OK\r\n", {{1, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"}}));
  rec.steps.push_back(cmd(0, {"SET", "k", "w"}, "+OK\r\n", {}));
  return rec;
}

TEST(RecordingsTest, AStreamsRecordingPlaysCleanAndCanFail) {
  EXPECT_EQ(PlayAll("small_streams", SmallStreamsRecording()), std::vector<std::string>{});
  // The push recorded for another session is checked on both targets...
  Recording rec = SmallStreamsRecording();
  std::string& push = rec.steps[2].pushes[1];
  push[push.size() - 3] = 'x';  // the key k becomes x
  std::vector<std::string> failures = PlayAll("small_streams", rec);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_NE(
      failures[0].find("engine: small_streams, RESP3 pass, step 2 \"SET\" \"k\" \"v\", session 1"),
      std::string::npos)
      << failures[0];
  EXPECT_NE(failures[1].find("tracking model: small_streams"), std::string::npos) << failures[1];
  // ... a push nobody recorded is a mismatch (the one-shot rule: a second
  // push for the second SET would show here) ...
  rec = SmallStreamsRecording();
  rec.steps[2].pushes.clear();
  ASSERT_EQ(PlayAll("small_streams", rec).size(), 2u);
  // ... and so is a push the engine adds at a turn's end.
  failures = PlayAll("small_streams", SmallStreamsRecording(), nullptr,
                     [calls = 0](std::vector<std::string>* out) mutable {
                       // Calls: HELLO x2, then per command step its run and its turn end.
                       if (++calls == 6) (*out)[0] = ">2\r\n$10\r\ninvalidate\r\n_\r\n";
                     });
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("step 1 (its turn's end, not recorded: nothing), session 0"),
            std::string::npos)
      << failures[0];
}

// A "model_only" file (streams.json until the engine has streams) plays on
// the reference model alone: a broken engine reply is not seen, a wrong
// recorded byte still is, on the model only.
TEST(RecordingsTest, AModelOnlyFilePlaysOnTheModelAlone) {
  auto break_engine = [](size_t, std::string* reply) { (*reply)[0] = '-'; };
  EXPECT_FALSE(PlayAll("small", SmallRecording(), break_engine).empty());
  EXPECT_EQ(PlayAll("small", SmallRecording(), break_engine, nullptr, /*model_only=*/true),
            std::vector<std::string>{});
  Recording rec = SmallRecording();
  rec.steps[1].reply[4] = 'w';
  const std::vector<std::string> failures = PlayAll("small", rec, nullptr, nullptr, true);
  ASSERT_EQ(failures.size(), 2u);  // both passes, the model's
  for (const std::string& f : failures) EXPECT_EQ(f.rfind("model: small", 0), 0u) << f;
}

// SLOWLOG GET's masking (MaskSlowlog) hides what differs from run to run,
// and nothing else: a server's reply and the engine's agree masked, and a
// changed argument, name, script address or id gap is still a mismatch.
TEST(RecordingsTest, SlowlogMaskHidesOnlyTimesDurationsAddressesAndTheIdBase) {
  const std::vector<std::string> get = {"SLOWLOG", "GET", "-1"};
  auto entry = [](int64_t id, int64_t time, int64_t us, std::vector<std::string> args,
                  const std::string& peer, const std::string& name) {
    std::string out =
        absl::StrCat("*6\r\n:", id, "\r\n:", time, "\r\n:", us, "\r\n*", args.size(), "\r\n");
    for (const std::string& a : args) absl::StrAppend(&out, "$", a.size(), "\r\n", a, "\r\n");
    absl::StrAppend(&out, "$", peer.size(), "\r\n", peer, "\r\n$", name.size(), "\r\n", name,
                    "\r\n");
    return out;
  };
  auto masked = [&](const std::string& reply) {
    std::optional<int64_t> base;
    return MaskSlowlog(get, reply, &base);
  };
  const std::string server = "*2\r\n" +
                             entry(41, 1795691387, 17, {"set", "k", "v"}, "127.0.0.1:35418", "n") +
                             entry(40, 1795691386, 3, {"get", "k"}, "?:0", "");
  const std::string engine = "*2\r\n" + entry(1, 1700000000, 0, {"set", "k", "v"}, "", "n") +
                             entry(0, 1700000000, 0, {"get", "k"}, "?:0", "");
  EXPECT_NE(server, engine);
  EXPECT_EQ(masked(server), masked(engine));
  // The base is the pass's: a later reply's ids count from the first one's.
  std::optional<int64_t> base;
  MaskSlowlog(get, server, &base);
  EXPECT_EQ(base, 40);
  EXPECT_EQ(MaskSlowlog(get, "*1\r\n" + entry(45, 1, 2, {"ping"}, "127.0.0.1:1", ""), &base),
            "*1\r\n" + entry(5, 0, 0, {"ping"}, "(addr)", ""));
  for (const std::string& broken : {"*2\r\n" + entry(1, 1700000000, 0, {"set", "k", "w"}, "", "n") +
                                        entry(0, 1700000000, 0, {"get", "k"}, "?:0", ""),
                                    "*2\r\n" + entry(1, 1700000000, 0, {"set", "k", "v"}, "", "m") +
                                        entry(0, 1700000000, 0, {"get", "k"}, "?:0", ""),
                                    "*2\r\n" + entry(1, 1700000000, 0, {"set", "k", "v"}, "", "n") +
                                        entry(0, 1700000000, 0, {"get", "k"}, "", ""),
                                    "*2\r\n" + entry(2, 1700000000, 0, {"set", "k", "v"}, "", "n") +
                                        entry(0, 1700000000, 0, {"get", "k"}, "?:0", "")}) {
    EXPECT_NE(masked(broken), masked(server)) << Escaped(broken);
  }
  // Only SLOWLOG GET is masked.
  EXPECT_EQ(masked(":3\r\n"), ":3\r\n");
  std::optional<int64_t> none;
  EXPECT_EQ(MaskSlowlog({"LRANGE", "l", "0", "-1"}, server, &none), server);
  EXPECT_FALSE(none.has_value());
}

// A slow log recording fails when the engine's entry loses a redaction.
TEST(RecordingsTest, ASlowlogRecordingCanFail) {
  Recording rec;
  rec.name = "small_slowlog";
  rec.protocols = {2};
  auto cmd = [](std::vector<std::string> argv, std::string reply) {
    Step s;
    s.argv = std::move(argv);
    s.reply = std::move(reply);
    return s;
  };
  rec.steps.push_back(cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}, "+OK\r\n"));
  rec.steps.push_back(cmd({"AUTH", "default", "pw"}, "+OK\r\n"));
  rec.steps.push_back(cmd({"SLOWLOG", "GET", "1"},
                          "*1\r\n*6\r\n:0\r\n:0\r\n:0\r\n*3\r\n$4\r\nAUTH\r\n$10\r\n("
                          "redacted)\r\n$10\r\n(redacted)\r\n$6\r\n(addr)\r\n$0\r\n\r\n"));
  EXPECT_EQ(PlayAll("small_slowlog", rec), std::vector<std::string>{});
  const std::vector<std::string> failures =
      PlayAll("small_slowlog", rec, [](size_t call, std::string* reply) {
        if (call != 2) return;
        const size_t at = reply->find("(redacted)");
        if (at != std::string::npos) reply->replace(at, 10, "pw--------");
      });
  ASSERT_EQ(failures.size(), 1u);  // the engine's; the model is not broken
  EXPECT_NE(failures[0].find("engine: small_slowlog, RESP2 pass, step 2"), std::string::npos)
      << failures[0];
}

TEST(RecordingsTest, ABrokenEngineReplyIsAMismatch) {
  const std::vector<std::string> failures =
      PlayAll("small", SmallRecording(), [](size_t call, std::string* reply) {
        if (call == 3) (*reply)[1] = '4';  // SADD's :3 becomes :4
      });
  // Call 3 is SADD in the RESP2 pass; in the RESP3 pass HELLO 3 takes call 0.
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_NE(failures[0].find("engine: small, RESP2 pass, step 3"), std::string::npos)
      << failures[0];
  EXPECT_NE(failures[0].find("actual:   \":4\\r\\n\""), std::string::npos) << failures[0];
  EXPECT_NE(failures[1].find("engine: small, RESP3 pass, step 2"), std::string::npos)
      << failures[1];
}

}  // namespace
}  // namespace respfuzz::recordings
