#include "tests/recordings/recording.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/resp/reader.h"
#include "src/resp/value.h"
#include "src/resp/writer.h"

namespace respfuzz::recordings {

namespace {

using nlohmann::json;

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Whether `bytes` is exactly one RESP value (read in RESP3 mode, which
// accepts RESP2 too).
bool IsOneValue(std::string_view bytes, std::vector<resp::Value>* values) {
  resp::ReaderError err;
  bool complete = false;
  *values = resp::ReadAll(bytes, resp::Protocol::kResp3, {}, &err, &complete);
  return err.code == resp::ReaderErrorCode::kNone && complete && values->size() == 1;
}

std::string Text(const std::string& s) { return json(s).dump(-1, ' ', true); }

class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {}

  absl::StatusOr<RecordingFile> Parse(const json& doc) {
    RecordingFile file;
    file.path = path_;
    if (!doc.is_object()) return Error("the document is not an object");
    if (absl::Status st = OnlyKeys(doc, {"family", "server", "model_only", "recordings"});
        !st.ok()) {
      return st;
    }
    if (!doc.contains("family") || !doc["family"].is_string()) return Error("no \"family\"");
    if (!doc.contains("server") || !doc["server"].is_string()) return Error("no \"server\"");
    file.family = doc["family"].get<std::string>();
    file.server = doc["server"].get<std::string>();
    if (!doc.contains("recordings") || !doc["recordings"].is_array()) {
      return Error("no \"recordings\" array");
    }
    std::set<std::string> names;
    for (const json& r : doc["recordings"]) {
      absl::StatusOr<Recording> rec = ParseRecording(r);
      if (!rec.ok()) return rec.status();
      if (!names.insert(rec->name).second) return Error("two recordings named " + rec->name);
      file.recordings.push_back(*std::move(rec));
    }
    // "model_only": the whole file plays on the reference model alone.
    if (doc.contains("model_only")) {
      if (!doc["model_only"].is_boolean() || !doc["model_only"].get<bool>()) {
        return Error("\"model_only\" is true or absent");
      }
      for (const Recording& rec : file.recordings) {
        if (rec.streams || rec.engine_only) {
          return Error("\"model_only\" with a streams or engine_only recording (" + rec.name + ")");
        }
      }
      file.model_only = true;
    }
    return file;
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", where_, std::string(what)));
  }

  absl::Status OnlyKeys(const json& obj, std::initializer_list<std::string_view> allowed) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        return Error("unknown field \"" + it.key() + "\"");
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Bytes(const json& v, const std::string& field) const {
    if (!v.is_string()) return Error("\"" + field + "\" is not a string");
    absl::StatusOr<std::string> bytes = DecodeBytes(v.get<std::string>());
    if (!bytes.ok()) return Error("\"" + field + "\": " + std::string(bytes.status().message()));
    return bytes;
  }

  absl::StatusOr<Recording> ParseRecording(const json& r) {
    Recording rec;
    where_.clear();
    if (!r.is_object()) return Error("a recording is not an object");
    if (!r.contains("name") || !r["name"].is_string() || !IsName(r["name"].get<std::string>())) {
      return Error("a recording needs a \"name\" of letters, digits and _");
    }
    rec.name = r["name"].get<std::string>();
    where_ = rec.name + ": ";
    if (absl::Status st = OnlyKeys(r, {"name", "about", "protocols", "proto_max_bulk_len", "notes",
                                       "streams", "engine_only", "steps"});
        !st.ok()) {
      return st;
    }
    if (r.contains("about")) {
      if (!r["about"].is_string()) return Error("\"about\" is not a string");
      rec.about = r["about"].get<std::string>();
    }
    if (r.contains("protocols")) {
      rec.protocols.clear();
      if (!r["protocols"].is_array()) return Error("\"protocols\" is not an array");
      for (const json& p : r["protocols"]) {
        if (!p.is_number_integer() || (p.get<int>() != 2 && p.get<int>() != 3)) {
          return Error("\"protocols\" holds 2 and/or 3");
        }
        rec.protocols.push_back(p.get<int>());
      }
      if (rec.protocols != std::vector<int>{2} && rec.protocols != std::vector<int>{3} &&
          rec.protocols != std::vector<int>{2, 3}) {
        return Error("\"protocols\" is [2], [3] or [2, 3]");
      }
    }
    if (r.contains("proto_max_bulk_len")) {
      if (!r["proto_max_bulk_len"].is_number_integer() ||
          r["proto_max_bulk_len"].get<int64_t>() < 1) {
        return Error("\"proto_max_bulk_len\" is not a positive integer");
      }
      rec.proto_max_bulk_len = r["proto_max_bulk_len"].get<int64_t>();
    }
    if (r.contains("notes")) {
      if (!r["notes"].is_array()) return Error("\"notes\" is not an array");
      for (const json& n : r["notes"]) {
        if (!n.is_string()) return Error("a note is not a string");
        rec.notes.push_back(n.get<std::string>());
      }
    }
    if (r.contains("streams")) {
      if (!r["streams"].is_boolean() || !r["streams"].get<bool>()) {
        return Error("\"streams\" is true or absent");
      }
      rec.streams = true;
    }
    if (r.contains("engine_only")) {
      if (!r["engine_only"].is_boolean() || !r["engine_only"].get<bool>() || rec.streams) {
        return Error("\"engine_only\" is true or absent (and not in a streams recording)");
      }
      rec.engine_only = true;
    }
    if (!r.contains("steps") || !r["steps"].is_array() || r["steps"].empty()) {
      return Error("no \"steps\"");
    }
    const bool resp3 =
        std::find(rec.protocols.begin(), rec.protocols.end(), 3) != rec.protocols.end();
    const bool both = rec.protocols.size() == 2;
    for (size_t i = 0; i < r["steps"].size(); ++i) {
      where_ = absl::StrCat(rec.name, ": step ", i, ": ");
      absl::StatusOr<Step> step = ParseStep(r["steps"][i], rec.streams);
      if (!step.ok()) return step.status();
      if (step->reply3 && !both) return Error("\"reply3\" needs \"protocols\": [2, 3]");
      if (step->reply3 && !resp3) return Error("\"reply3\" without a RESP3 pass");
      if (step->pushes3 && !both) return Error("\"pushes3\" needs \"protocols\": [2, 3]");
      if (step->kind == StepKind::kEndTurn &&
          (rec.steps.empty() || rec.steps.back().kind != StepKind::kCommand)) {
        return Error("\"end_turn\" follows a command step");
      }
      if (step->kind == StepKind::kCommand && step->pushes.count(step->session) > 0) {
        return Error("\"pushes\" names the sending session: its bytes are in \"reply\"");
      }
      rec.steps.push_back(*std::move(step));
    }
    return rec;
  }

  // A "pushes" or "pushes3" object: session number -> one or more RESP values.
  absl::StatusOr<SessionBytes> Pushes(const json& v, const std::string& field) const {
    if (!v.is_object()) return Error("\"" + field + "\" is not an object");
    SessionBytes out;
    for (auto it = v.begin(); it != v.end(); ++it) {
      int s = -1;
      if (it.key().empty() || it.key().size() > 2 ||
          !std::all_of(it.key().begin(), it.key().end(),
                       [](char c) { return c >= '0' && c <= '9'; }) ||
          (s = std::stoi(it.key())) > 15 || std::to_string(s) != it.key()) {
        return Error("\"" + field + "\" is keyed by session numbers 0..15");
      }
      absl::StatusOr<std::string> bytes = Bytes(it.value(), field);
      if (!bytes.ok()) return bytes.status();
      if (CountValues(*bytes) < 1) {
        return Error("\"" + field + "\" of session " + it.key() +
                     " is not one or more RESP values");
      }
      out[s] = *std::move(bytes);
    }
    return out;
  }

  absl::Status StreamFields(const json& j, Step* step) const {
    if (j.contains("pushes")) {
      absl::StatusOr<SessionBytes> p = Pushes(j["pushes"], "pushes");
      if (!p.ok()) return p.status();
      step->pushes = *std::move(p);
    }
    if (j.contains("pushes3")) {
      absl::StatusOr<SessionBytes> p = Pushes(j["pushes3"], "pushes3");
      if (!p.ok()) return p.status();
      if (*p == step->pushes) return Error("\"pushes3\" equals \"pushes\": leave it out");
      step->pushes3 = *std::move(p);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Step> ParseStep(const json& j, bool streams) {
    Step step;
    if (!j.is_object()) return Error("not an object");
    if (!streams) {
      for (const char* name : {"pushes", "pushes3", "end_turn", "close"}) {
        if (j.contains(name)) {
          return Error(absl::StrCat("\"", name, "\" needs \"streams\": true"));
        }
      }
    }
    auto flag = [&](const char* name, bool* out) -> absl::Status {
      if (!j.contains(name)) return absl::OkStatus();
      if (!j[name].is_boolean() || !j[name].get<bool>()) {
        return Error(absl::StrCat("\"", name, "\" is true or absent"));
      }
      *out = true;
      return absl::OkStatus();
    };
    if (j.contains("why")) {
      if (!j["why"].is_string()) return Error("\"why\" is not a string");
      step.why = j["why"].get<std::string>();
    }
    if (j.contains("sleep_ms")) {
      if (absl::Status st = OnlyKeys(j, {"sleep_ms", "why"}); !st.ok()) return st;
      if (!j["sleep_ms"].is_number_integer() || j["sleep_ms"].get<int64_t>() < 0) {
        return Error("\"sleep_ms\" is not a non-negative integer");
      }
      step.kind = StepKind::kSleep;
      step.sleep_ms = j["sleep_ms"].get<int64_t>();
      return step;
    }
    if (j.contains("active_expire")) {
      if (absl::Status st = OnlyKeys(j, {"active_expire", "pushes", "pushes3", "why"}); !st.ok()) {
        return st;
      }
      bool set = false;
      if (absl::Status st = flag("active_expire", &set); !st.ok()) return st;
      step.kind = StepKind::kActiveExpire;
      if (absl::Status st = StreamFields(j, &step); !st.ok()) return st;
      return step;
    }
    if (j.contains("end_turn")) {
      if (absl::Status st = OnlyKeys(j, {"end_turn", "pushes", "pushes3", "why"}); !st.ok()) {
        return st;
      }
      bool set = false;
      if (absl::Status st = flag("end_turn", &set); !st.ok()) return st;
      step.kind = StepKind::kEndTurn;
      if (absl::Status st = StreamFields(j, &step); !st.ok()) return st;
      return step;
    }
    if (j.contains("close")) {
      if (absl::Status st = OnlyKeys(j, {"close", "why"}); !st.ok()) return st;
      if (!j["close"].is_number_integer() || j["close"].get<int>() < 0 ||
          j["close"].get<int>() > 15) {
        return Error("\"close\" is a session number 0..15");
      }
      step.kind = StepKind::kClose;
      step.session = j["close"].get<int>();
      return step;
    }
    if (absl::Status st = OnlyKeys(j, {"s", "cmd", "reply", "reply3", "pushes", "pushes3",
                                       "unordered", "client_id", "clock_args", "slack", "why"});
        !st.ok()) {
      return st;
    }
    if (j.contains("s")) {
      if (!j["s"].is_number_integer() || j["s"].get<int>() < 0 || j["s"].get<int>() > 15) {
        return Error("\"s\" is a session number 0..15");
      }
      step.session = j["s"].get<int>();
    }
    if (!j.contains("cmd") || !j["cmd"].is_array() || j["cmd"].empty()) {
      return Error("a step needs \"cmd\", \"sleep_ms\" or \"active_expire\"");
    }
    for (const json& a : j["cmd"]) {
      absl::StatusOr<std::string> arg = Bytes(a, "cmd");
      if (!arg.ok()) return arg.status();
      step.argv.push_back(*std::move(arg));
    }
    if (!j.contains("reply")) return Error("no \"reply\"");
    absl::StatusOr<std::string> reply = Bytes(j["reply"], "reply");
    if (!reply.ok()) return reply.status();
    step.reply = *std::move(reply);
    std::vector<resp::Value> values;
    // In a streams recording the sender's bytes: its reply (two for the
    // doubled CLIENT TRACKING reply) and the pushes after it, or nothing (a
    // command under CLIENT REPLY OFF / SKIP).
    auto valid = [&](const std::string& bytes) {
      return streams ? CountValues(bytes) >= 0 : IsOneValue(bytes, &values);
    };
    const char* shape = streams ? "zero or more RESP values" : "exactly one RESP value";
    if (!valid(step.reply)) return Error(absl::StrCat("\"reply\" is not ", shape));
    if (j.contains("reply3")) {
      absl::StatusOr<std::string> reply3 = Bytes(j["reply3"], "reply3");
      if (!reply3.ok()) return reply3.status();
      if (*reply3 == step.reply) return Error("\"reply3\" equals \"reply\": leave it out");
      if (!valid(*reply3)) return Error(absl::StrCat("\"reply3\" is not ", shape));
      step.reply3 = *std::move(reply3);
    }
    if (absl::Status st = StreamFields(j, &step); !st.ok()) return st;
    for (auto [name, out] :
         {std::pair{"unordered", &step.unordered}, std::pair{"client_id", &step.client_id},
          std::pair{"clock_args", &step.clock_args}}) {
      if (absl::Status st = flag(name, out); !st.ok()) return st;
    }
    if (step.clock_args &&
        std::none_of(step.argv.begin(), step.argv.end(),
                     [](const std::string& a) { return SubstituteClock(a, 0) != a; })) {
      return Error("\"clock_args\" without a {now+N} or {now-N} argument");
    }
    if (std::any_of(step.argv.begin(), step.argv.end(),
                    [](const std::string& a) { return IdPlaceholder(a) >= 0; }) &&
        !step.client_id) {
      return Error("an {id:N} argument needs \"client_id\"");
    }
    if (streams && (step.unordered || j.contains("slack"))) {
      return Error("\"unordered\" and \"slack\" are not for streams recordings");
    }
    if (step.unordered && !MayBeUnordered(step.argv)) {
      return Error("\"unordered\" on a command whose reply order is defined");
    }
    if (j.contains("slack")) {
      if (!j["slack"].is_number_integer() || j["slack"].get<int64_t>() < 1) {
        return Error("\"slack\" is a positive integer");
      }
      step.slack = j["slack"].get<int64_t>();
      if (step.reply.empty() || step.reply[0] != ':' || (step.reply3 && (*step.reply3)[0] != ':')) {
        return Error("\"slack\" is for integer replies");
      }
      if (step.why.empty()) return Error("\"slack\" needs a \"why\"");
    }
    return step;
  }

  std::string path_;
  std::string where_;
};

void SortByBytes(std::vector<resp::Value>* elems) {
  std::vector<std::pair<std::string, resp::Value>> keyed;
  for (resp::Value& e : *elems) {
    std::string k = resp::Write(e, resp::Protocol::kResp3, resp::DoubleStyle::kRedis70);
    keyed.emplace_back(std::move(k), std::move(e));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  elems->clear();
  for (auto& [k, e] : keyed) elems->push_back(std::move(e));
}

void SortPairs(std::vector<resp::Value>* elems) {
  if (elems->size() % 2 != 0) return;
  std::vector<std::pair<std::string, std::pair<resp::Value, resp::Value>>> keyed;
  for (size_t i = 0; i < elems->size(); i += 2) {
    std::string k =
        resp::Write((*elems)[i], resp::Protocol::kResp3, resp::DoubleStyle::kRedis70) +
        resp::Write((*elems)[i + 1], resp::Protocol::kResp3, resp::DoubleStyle::kRedis70);
    keyed.emplace_back(std::move(k),
                       std::make_pair(std::move((*elems)[i]), std::move((*elems)[i + 1])));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  elems->clear();
  for (auto& [k, p] : keyed) {
    elems->push_back(std::move(p.first));
    elems->push_back(std::move(p.second));
  }
}

std::string PushesText(const SessionBytes& pushes) {
  std::string out = "{";
  for (const auto& [s, bytes] : pushes) {
    absl::StrAppend(&out, out.size() > 1 ? ", " : "", "\"", s, "\": ", EncodeBytes(bytes));
  }
  return out + "}";
}

void AppendPushes(const Step& s, std::vector<std::string>* fields) {
  if (!s.pushes.empty()) fields->push_back("\"pushes\": " + PushesText(s.pushes));
  if (s.pushes3) fields->push_back("\"pushes3\": " + PushesText(*s.pushes3));
}

bool IsList(const resp::Value& v) {
  return v.type == resp::Type::kArray || v.type == resp::Type::kSet || v.type == resp::Type::kMap;
}

}  // namespace

int Recording::sessions() const {
  int n = 1;
  for (const Step& s : steps) {
    n = std::max(n, s.session + 1);
    for (const SessionBytes* p : {&s.pushes, s.pushes3 ? &*s.pushes3 : nullptr}) {
      if (p && !p->empty()) n = std::max(n, p->rbegin()->first + 1);
    }
    for (const std::string& a : s.argv) n = std::max(n, IdPlaceholder(a) + 1);
  }
  return n;
}

absl::StatusOr<RecordingFile> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError(path + ": not valid JSON");
  return Parser(path).Parse(doc);
}

absl::StatusOr<std::vector<RecordingFile>> LoadDirectory(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path().string());
  }
  if (ec) return absl::NotFoundError("cannot list " + dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<RecordingFile> files;
  for (const std::string& p : paths) {
    absl::StatusOr<RecordingFile> f = LoadFile(p);
    if (!f.ok()) return f.status();
    files.push_back(*std::move(f));
  }
  return files;
}

std::string Serialize(const RecordingFile& file) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"family\": ", Text(file.family), ",\n");
  absl::StrAppend(&out, "  \"server\": ", Text(file.server), ",\n");
  if (file.model_only) out += "  \"model_only\": true,\n";
  out += "  \"recordings\": [\n";
  for (size_t r = 0; r < file.recordings.size(); ++r) {
    const Recording& rec = file.recordings[r];
    out += "    {\n";
    absl::StrAppend(&out, "      \"name\": ", Text(rec.name), ",\n");
    if (!rec.about.empty()) absl::StrAppend(&out, "      \"about\": ", Text(rec.about), ",\n");
    out += "      \"protocols\": [";
    for (size_t i = 0; i < rec.protocols.size(); ++i) {
      absl::StrAppend(&out, i ? ", " : "", rec.protocols[i]);
    }
    out += "],\n";
    if (rec.streams) out += "      \"streams\": true,\n";
    if (rec.engine_only) out += "      \"engine_only\": true,\n";
    if (rec.proto_max_bulk_len != Recording::kDefaultProtoMaxBulkLen) {
      absl::StrAppend(&out, "      \"proto_max_bulk_len\": ", rec.proto_max_bulk_len, ",\n");
    }
    if (!rec.notes.empty()) {
      out += "      \"notes\": [\n";
      for (size_t i = 0; i < rec.notes.size(); ++i) {
        absl::StrAppend(&out, "        ", Text(rec.notes[i]),
                        i + 1 < rec.notes.size() ? ",\n" : "\n");
      }
      out += "      ],\n";
    }
    out += "      \"steps\": [\n";
    for (size_t i = 0; i < rec.steps.size(); ++i) {
      const Step& s = rec.steps[i];
      std::vector<std::string> fields;
      switch (s.kind) {
        case StepKind::kSleep:
          fields.push_back(absl::StrCat("\"sleep_ms\": ", s.sleep_ms));
          break;
        case StepKind::kActiveExpire:
          fields.push_back("\"active_expire\": true");
          AppendPushes(s, &fields);
          break;
        case StepKind::kEndTurn:
          fields.push_back("\"end_turn\": true");
          AppendPushes(s, &fields);
          break;
        case StepKind::kClose:
          fields.push_back(absl::StrCat("\"close\": ", s.session));
          break;
        case StepKind::kCommand: {
          if (s.session != 0) fields.push_back(absl::StrCat("\"s\": ", s.session));
          std::string cmd = "\"cmd\": [";
          for (size_t a = 0; a < s.argv.size(); ++a) {
            absl::StrAppend(&cmd, a ? ", " : "", EncodeBytes(s.argv[a]));
          }
          fields.push_back(cmd + "]");
          fields.push_back("\"reply\": " + EncodeBytes(s.reply));
          if (s.reply3) fields.push_back("\"reply3\": " + EncodeBytes(*s.reply3));
          AppendPushes(s, &fields);
          if (s.unordered) fields.push_back("\"unordered\": true");
          if (s.client_id) fields.push_back("\"client_id\": true");
          if (s.clock_args) fields.push_back("\"clock_args\": true");
          if (s.slack) fields.push_back(absl::StrCat("\"slack\": ", s.slack));
          break;
        }
      }
      if (!s.why.empty()) fields.push_back("\"why\": " + Text(s.why));
      out += "        {";
      for (size_t f = 0; f < fields.size(); ++f) absl::StrAppend(&out, f ? ", " : "", fields[f]);
      out += i + 1 < rec.steps.size() ? "},\n" : "}\n";
    }
    out += "      ]\n";
    out += r + 1 < file.recordings.size() ? "    },\n" : "    }\n";
  }
  out += "  ]\n}\n";
  return out;
}

std::string EncodeBytes(std::string_view bytes) { return "\"" + Escaped(bytes) + "\""; }

std::string Escaped(std::string_view bytes) {
  std::string out;
  for (char ch : bytes) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += ch;
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        }
    }
  }
  return out;
}

absl::StatusOr<std::string> DecodeBytes(std::string_view utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c == 0xc2 || c == 0xc3) && i + 1 < utf8.size() &&
               (static_cast<unsigned char>(utf8[i + 1]) & 0xc0) == 0x80) {
      // U+0080..U+00FF stands for the byte of the same value.
      out +=
          static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3f));
      ++i;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("a character above U+00FF at byte ", i,
                       " (bytes 0x80-0xff are written \\u0080-\\u00ff)"));
    }
  }
  return out;
}

std::string DescribeArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += EncodeBytes(a);
  }
  return out;
}

bool MayBeUnordered(const std::vector<std::string>& argv) {
  static const std::set<std::string> kUnordered = {
      "SMEMBERS", "SINTER", "SUNION", "SDIFF", "HKEYS", "HVALS", "HGETALL",
      "KEYS",     "SCAN",   "SSCAN",  "HSCAN", "ZSCAN", "SPOP",  "SRANDMEMBER"};
  // ACL CAT <category>: the server's command dict order (acl.json).
  if (argv.size() == 3 && Upper(argv[0]) == "ACL" && Upper(argv[1]) == "CAT") return true;
  // FUNCTION LIST: the libraries in the server's dict order (functions.json).
  if (argv.size() >= 2 && Upper(argv[0]) == "FUNCTION" && Upper(argv[1]) == "LIST") return true;
  return !argv.empty() && kUnordered.count(Upper(argv[0])) > 0;
}

std::string Canonical(const std::vector<std::string>& argv, std::string_view reply) {
  std::vector<resp::Value> values;
  if (!IsOneValue(reply, &values) || !IsList(values[0])) return std::string(reply);
  resp::Value& v = values[0];
  const std::string name = argv.empty() ? "" : Upper(argv[0]);
  if (name == "HGETALL") {
    SortPairs(&v.elems);
  } else if (name == "SCAN" || name == "SSCAN") {
    if (v.elems.size() == 2 && IsList(v.elems[1])) SortByBytes(&v.elems[1].elems);
  } else if (name == "HSCAN" || name == "ZSCAN") {
    if (v.elems.size() == 2 && IsList(v.elems[1])) SortPairs(&v.elems[1].elems);
  } else {
    SortByBytes(&v.elems);
  }
  return resp::Write(v, resp::Protocol::kResp3, resp::DoubleStyle::kRedis70);
}

bool IsSlowlogGet(const std::vector<std::string>& argv) {
  return argv.size() >= 2 && Upper(argv[0]) == "SLOWLOG" && Upper(argv[1]) == "GET";
}

std::string MaskSlowlog(const std::vector<std::string>& argv, std::string_view reply,
                        std::optional<int64_t>* base) {
  std::vector<resp::Value> values;
  if (!IsSlowlogGet(argv) || !IsOneValue(reply, &values) || values[0].type != resp::Type::kArray) {
    return std::string(reply);
  }
  resp::Value& v = values[0];
  for (const resp::Value& e : v.elems) {
    if (e.type != resp::Type::kArray || e.elems.size() != 6 ||
        e.elems[0].type != resp::Type::kInteger || e.elems[1].type != resp::Type::kInteger ||
        e.elems[2].type != resp::Type::kInteger || e.elems[4].type != resp::Type::kBulkString) {
      return std::string(reply);
    }
  }
  if (!base->has_value() && !v.elems.empty()) {
    int64_t low = v.elems[0].elems[0].integer;
    for (const resp::Value& e : v.elems) low = std::min(low, e.elems[0].integer);
    *base = low;
  }
  for (resp::Value& e : v.elems) {
    e.elems[0].integer -= **base;
    e.elems[1].integer = 0;
    e.elems[2].integer = 0;
    if (e.elems[4].str != "?:0") e.elems[4].str = "(addr)";
  }
  return resp::Write(v, resp::Protocol::kResp3, resp::DoubleStyle::kRedis70);
}

int IdPlaceholder(const std::string& arg) {
  if (arg.size() < 6 || arg.size() > 7 || arg.compare(0, 4, "{id:") != 0 || arg.back() != '}') {
    return -1;
  }
  int n = 0;
  const char* first = arg.data() + 4;
  const char* last = arg.data() + arg.size() - 1;
  auto [ptr, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || ptr != last || n > 15) return -1;
  return n;
}

int CountValues(std::string_view bytes) {
  resp::ReaderError err;
  bool complete = false;
  const std::vector<resp::Value> values =
      resp::ReadAll(bytes, resp::Protocol::kResp3, {}, &err, &complete);
  if (err.code != resp::ReaderErrorCode::kNone || !complete) return -1;
  return static_cast<int>(values.size());
}

std::string SubstituteClock(const std::string& arg, int64_t now_ms) {
  if (arg.size() < 7 || arg.compare(0, 4, "{now") != 0 || arg.back() != '}') return arg;
  const char sign = arg[4];
  if (sign != '+' && sign != '-') return arg;
  int64_t n = 0;
  const char* first = arg.data() + 5;
  const char* last = arg.data() + arg.size() - 1;
  auto [ptr, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || ptr != last) return arg;
  return std::to_string(sign == '+' ? now_ms + n : now_ms - n);
}

}  // namespace respfuzz::recordings
