// Plays every recording of redis-server 7.0.15 (tests/recordings/*.json, the
// format in tests/recordings/README.md) against the engine and against the
// reference model: every reply must be the recorded bytes exactly (replies
// flagged unordered are compared with their elements sorted on both sides),
// and Engine::Validate() must hold after every step. One test case per
// recording; both targets and every protocol pass run in it.
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harnesses/models/reference_model.h"
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
  void ActiveExpire() override { engine_.ActiveExpire(); }
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
  void ActiveExpire() override { model_.ActiveExpire(); }
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
  for (size_t i = 0; i < rec.steps.size(); ++i) {
    const Step& step = rec.steps[i];
    switch (step.kind) {
      case StepKind::kSleep:
        target.Sleep(step.sleep_ms);
        continue;
      case StepKind::kActiveExpire:
        target.ActiveExpire();
        continue;
      case StepKind::kCommand:
        break;
    }
    std::vector<std::string> argv = step.argv;
    if (step.clock_args) {
      for (std::string& a : argv) a = SubstituteClock(a, target.now_ms());
    }
    const std::string actual = target.Execute(step.session, argv);
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
std::vector<std::string> PlayAll(const std::string& name, const Recording& rec,
                                 std::function<void(size_t, std::string*)> corrupt = nullptr) {
  std::vector<std::string> failures;
  for (int protocol : rec.protocols) {
    EngineTarget engine(rec, corrupt);
    for (std::string& f : Play("engine: " + name, rec, protocol, engine)) {
      failures.push_back(std::move(f));
    }
    ModelTarget model(rec);
    for (std::string& f : Play("model: " + name, rec, protocol, model)) {
      failures.push_back(std::move(f));
    }
  }
  return failures;
}

struct Case {
  std::string name;  // family_recording
  const Recording* recording = nullptr;
  std::string load_error;
};

// GoogleTest shows the parameter by this (in listings and failures).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

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

std::vector<Case> AllCases() {
  std::string error;
  const std::vector<RecordingFile>& files = Files(&error);
  std::vector<Case> cases;
  if (!error.empty()) cases.push_back({"load_error", nullptr, error});
  for (const RecordingFile& f : files) {
    for (const Recording& r : f.recordings) cases.push_back({f.family + "_" + r.name, &r, ""});
  }
  return cases;
}

class RecordingTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecordingTest, Plays) {
  const Case& c = GetParam();
  ASSERT_TRUE(c.load_error.empty()) << c.load_error;
  const std::vector<std::string> failures = PlayAll(c.name, *c.recording);
  // The first few: once the state diverges, later steps fail as a consequence.
  for (size_t i = 0; i < failures.size() && i < 8; ++i) ADD_FAILURE() << failures[i];
  EXPECT_TRUE(failures.empty()) << failures.size() << " mismatches in all";
}

INSTANTIATE_TEST_SUITE_P(Recordings, RecordingTest, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

TEST(RecordingsTest, EveryFamilyIsThere) {
  std::string error;
  const std::vector<RecordingFile>& files = Files(&error);
  ASSERT_TRUE(error.empty()) << error;
  std::vector<std::string> families;
  for (const RecordingFile& f : files) families.push_back(f.family);
  EXPECT_EQ(families, (std::vector<std::string>{"connection", "hashes", "keys", "lists", "sets",
                                                "strings", "transactions", "zsets"}));
}

// The facts moved out of the old C++ tables (4111 command steps: 3707
// recorded replies and 404 setup commands that replaced direct keyspace
// writes) are all still here; new recordings only raise the count.
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
      {"connection", 232}, {"hashes", 220},  {"keys", 617},          {"lists", 409},
      {"sets", 281},       {"strings", 622}, {"transactions", 1059}, {"zsets", 671}};
  for (const auto& [family, n] : floor) EXPECT_GE(commands[family], n) << family;
}

std::string LoadError(const std::string& recording) {
  const std::string path = ::testing::TempDir() + "/recording_load_test.json";
  std::ofstream(path) << R"({"family": "f", "server": "s", "recordings": [)" << recording << "]}";
  absl::StatusOr<RecordingFile> f = LoadFile(path);
  return f.ok() ? "" : std::string(f.status().message());
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
       }) {
    const std::string error = LoadError(rec(step));
    EXPECT_NE(error.find(why), std::string::npos) << step << " gave: " << error;
  }
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
