#include "tools/version_differences.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace respfuzz::oracle {
namespace {

constexpr char kBuiltIn[] = {
#include "version_differences.inc"
    0};

// The pieces of `s` between the `sep` characters (empty ones included).
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A dotted number of at most 9 digits a part.
bool IsVersion(std::string_view v) {
  if (v.empty()) return false;
  for (std::string_view part : Split(v, '.')) {
    if (part.empty() || part.size() > 9 ||
        part.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

long Number(std::string_view part) {
  long n = 0;
  for (char c : part) {
    if (c < '0' || c > '9' || n > 999999999) return n;
    n = n * 10 + (c - '0');
  }
  return n;
}

// One number, quoted or not, read whole by strtod; nullopt otherwise.
std::optional<double> OneDouble(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 64 ||
      s.find_first_not_of("0123456789.eE+-") != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string text(s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

namespace {

// The parts of an invalidation-oracle frame ("c1 data: $3\r\n2.1\r\n", the
// CRLFs printed as the four characters \r\n) between its printed CRLFs.
std::vector<std::string_view> FrameParts(std::string_view s) {
  std::vector<std::string_view> parts;
  constexpr std::string_view kCrlf = "\\r\\n";
  size_t at = 0;
  while (true) {
    const size_t next = s.find(kCrlf, at);
    if (next == std::string_view::npos) {
      parts.push_back(s.substr(at));
      return parts;
    }
    parts.push_back(s.substr(at, next - at));
    at = next + kCrlf.size();
  }
}

bool BulkHeader(std::string_view p) {
  return p.size() >= 2 && p[0] == '$' &&
         p.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

// The same frames but for doubles written differently (and the bulk lengths
// that follow from them): part by part, equal, both bulk headers, or the
// same double; at least one double differs.
bool SameDoublesInFrames(std::string_view a, std::string_view b) {
  if (a.find("\\r\\n") == std::string_view::npos) return false;
  const std::vector<std::string_view> x = FrameParts(a), y = FrameParts(b);
  if (x.size() != y.size()) return false;
  bool differs = false;
  for (size_t i = 0; i < x.size(); ++i) {
    std::string_view px = x[i], py = y[i];
    if (px == py) continue;
    if (i == 0) {  // the connection's label ("c1 data: ") must be the same
      const size_t lx = px.find(": "), ly = py.find(": ");
      if (lx == std::string_view::npos || lx != ly || px.substr(0, lx) != py.substr(0, ly))
        return false;
      px.remove_prefix(lx + 2);
      py.remove_prefix(ly + 2);
    }
    if (BulkHeader(px) && BulkHeader(py)) continue;
    const std::optional<double> dx = OneDouble(px), dy = OneDouble(py);
    if (!dx || !dy || *dx != *dy) return false;
    differs = true;
  }
  return differs;
}

}  // namespace

namespace {

// ld2string(LD_STR_HUMAN) of a double: "%.17Lf" with the trailing zeros
// (and a trailing '.') cut.
std::string HumanText(double d) {
  char buf[5200];
  int n = snprintf(buf, sizeof(buf), "%.17Lf", static_cast<long double>(d));
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return "";
  std::string t(buf, static_cast<size_t>(n));
  if (t.find('.') != std::string::npos) {
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
  }
  if (t == "-0") t = "0";
  return t;
}

// A printed reply cut into its numbers and what lies between them.
void SplitNumbers(std::string_view s, std::vector<std::string>* skeleton,
                  std::vector<std::string>* numbers) {
  static const std::regex kNumber(R"(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  const std::string text(s);
  size_t at = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kNumber);
       it != std::sregex_iterator(); ++it) {
    skeleton->push_back(text.substr(at, static_cast<size_t>(it->position()) - at));
    numbers->push_back(it->str());
    at = static_cast<size_t>(it->position() + it->length());
  }
  skeleton->push_back(text.substr(at));
}

// The same printed reply but for numbers: each pair that differs is the same
// double written differently, or (coords) the engine's is the human text of
// the server's double (as text, or as the different double that text reads
// back as: a RESP3 double printed by value).
bool SameButNumbers(std::string_view server, std::string_view engine, bool coords) {
  std::vector<std::string> ks, ke, ns, ne;
  SplitNumbers(server, &ks, &ns);
  SplitNumbers(engine, &ke, &ne);
  if (ks != ke || ns.size() != ne.size()) return false;
  bool differs = false;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (ns[i] == ne[i]) continue;
    const double x = std::strtod(ns[i].c_str(), nullptr);
    const double y = std::strtod(ne[i].c_str(), nullptr);
    if (coords) {
      const std::string human = HumanText(x);
      if (ne[i] != human && !(y != x && y == std::strtod(human.c_str(), nullptr))) return false;
    } else if (x != y) {
      return false;
    }
    differs = true;
  }
  return differs;
}

}  // namespace

bool SameDouble(std::string_view a, std::string_view b) {
  const std::optional<double> x = OneDouble(a), y = OneDouble(b);
  if (x && y) return *x == *y && a != b;
  if (a.find("\\r\\n") == std::string_view::npos) return SameButNumbers(a, b, false);
  return SameDoublesInFrames(a, b);
}

bool SameCoordinates(std::string_view server, std::string_view engine) {
  return SameButNumbers(server, engine, true);
}

bool SameWithoutFields(std::string_view server, std::string_view engine,
                       const std::vector<std::string>& fields) {
  if (server == engine) return false;
  auto value_end = [](std::string_view text, size_t at) {
    while (at < text.size() && text[at] != ' ' && text[at] != '\\' && text[at] != '"') ++at;
    return at;
  };
  // "FIELD" is taken out of both sides; "FIELD=A>B" reads the server's
  // FIELD=A as FIELD=B, and the row then needs at least one such reading.
  std::vector<std::string> cut;
  std::vector<std::pair<std::string, std::string>> rewrites;  // " FIELD=A", " FIELD=B"
  for (const std::string& f : fields) {
    const size_t eq = f.find('=');
    const size_t gt = f.find('>');
    if (eq == std::string::npos || gt == std::string::npos || gt < eq) {
      cut.push_back(f);
      continue;
    }
    rewrites.emplace_back(" " + f.substr(0, gt), " " + f.substr(0, eq + 1) + f.substr(gt + 1));
  }
  int rewritten = 0;
  std::string theirs;
  for (size_t i = 0; i < server.size();) {
    bool done = false;
    for (const auto& [from, to] : rewrites) {
      if (server.substr(i, from.size()) != from ||
          value_end(server, i + from.size()) != i + from.size()) {
        continue;
      }
      theirs += to;
      i += from.size();
      ++rewritten;
      done = true;
      break;
    }
    if (!done) theirs.push_back(server[i++]);
  }
  if (!rewrites.empty() && rewritten == 0) return false;
  auto without = [&](std::string_view text) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      bool skipped = false;
      if (text[i] == ' ') {
        for (const std::string& f : cut) {
          if (text.substr(i + 1, f.size() + 1) != f + "=") continue;
          i = value_end(text, i + 1 + f.size() + 1);
          skipped = true;
          break;
        }
      }
      if (!skipped) out.push_back(text[i++]);
    }
    return out;
  };
  return without(theirs) == without(engine);
}

ServerIdentity IdentityFromInfo(std::string_view info) {
  ServerIdentity id;
  std::string redis, valkey, name;
  for (std::string_view line : Split(info, '\n')) {
    line = StripCr(line);
    for (auto [key, out] : {std::pair{std::string_view("redis_version:"), &redis},
                            std::pair{std::string_view("valkey_version:"), &valkey},
                            std::pair{std::string_view("server_name:"), &name}}) {
      if (line.starts_with(key)) *out = std::string(line.substr(key.size()));
    }
  }
  if (name == "valkey" || !valkey.empty()) {
    id.family = "valkey";
    id.version = valkey;
  } else {
    id.family = "redis";
    id.version = redis;
  }
  return id;
}

std::string_view BuiltInVersionDifferences() { return kBuiltIn; }

int CompareVersions(std::string_view a, std::string_view b) {
  const std::vector<std::string_view> x = Split(a, '.'), y = Split(b, '.');
  for (size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
    const long p = i < x.size() ? Number(x[i]) : 0, q = i < y.size() ? Number(y[i]) : 0;
    if (p != q) return p < q ? -1 : 1;
  }
  return 0;
}

absl::StatusOr<std::vector<VersionDifference>> ParseVersionDifferences(std::string_view text) {
  std::vector<VersionDifference> rows;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    auto error = [&](const std::string& why) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_no, ": ", why));
    };
    std::vector<std::string> f;
    for (std::string_view x : Split(StripCr(line), '\t')) f.emplace_back(x);
    if (f.size() != 7) {
      return error(absl::StrCat(f.size(),
                                " tab-separated fields, want 7 (id, applies, command, "
                                "server, engine, source, what)"));
    }
    VersionDifference d;
    d.line = line_no;
    d.id = f[0];
    if (d.id.empty() ||
        d.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos) {
      return error("id '" + d.id + "' is not a slug of a-z, 0-9, '-' and '.'");
    }
    for (const VersionDifference& r : rows) {
      if (r.id == d.id) return error(absl::StrCat("id '", d.id, "' is also line ", r.line));
    }
    for (std::string_view a : Split(f[1], ',')) {
      const size_t ge = a.find(">=");
      const std::string family(a.substr(0, ge == std::string_view::npos ? 0 : ge));
      const std::string since(ge == std::string_view::npos ? "" : a.substr(ge + 2));
      if ((family != "redis" && family != "valkey") || !IsVersion(since)) {
        return error(absl::StrCat("applies: '", std::string(a),
                                  "' is not redis>=VERSION or valkey>=VERSION"));
      }
      // The engine models redis 7.0.15: a difference there is the engine's.
      if (family == "redis" && CompareVersions(since, kModelledVersion) <= 0) {
        return error(absl::StrCat("applies: '", std::string(a), "' includes redis ",
                                  std::string(kModelledVersion),
                                  ", the version the engine models"));
      }
      d.applies.emplace_back(family, since);
    }
    d.command = f[2];
    if (d.command.empty() ||
        (d.command != "*" && (absl::AsciiStrToUpper(d.command) != d.command ||
                              d.command.find_first_of(" \t") != std::string::npos))) {
      return error("command '" + d.command + "' is not * or an upper-case name");
    }
    d.server_pattern = f[3];
    d.engine_pattern = f[4];
    if ((d.server_pattern == kSameDouble) != (d.engine_pattern == kSameDouble)) {
      return error(
          absl::StrCat("server and engine are both ", std::string(kSameDouble), " or neither is"));
    }
    if ((d.server_pattern == kSameCoords) != (d.engine_pattern == kSameCoords)) {
      return error(
          absl::StrCat("server and engine are both ", std::string(kSameCoords), " or neither is"));
    }
    d.same_double = d.server_pattern == kSameDouble;
    d.same_coords = d.server_pattern == kSameCoords;
    if (d.server_pattern.starts_with(kWithoutFields) ||
        d.engine_pattern.starts_with(kWithoutFields)) {
      if (d.server_pattern != d.engine_pattern) {
        return error(absl::StrCat("server and engine are both the same ",
                                  std::string(kWithoutFields), "FIELD,... or neither is"));
      }
      for (std::string_view field :
           Split(std::string_view(d.server_pattern).substr(kWithoutFields.size()), ',')) {
        // FIELD, or FIELD=A>B (values without spaces, commas or quotes).
        const size_t eq = field.find('=');
        const std::string_view name = field.substr(0, eq);
        const size_t gt = field.find('>');
        const bool rewrite_ok =
            eq == std::string_view::npos ||
            (gt != std::string_view::npos && gt > eq + 1 && gt + 1 < field.size() &&
             field.find_first_of(" \"\\", eq) == std::string_view::npos);
        if (name.empty() ||
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string_view::npos ||
            !rewrite_ok) {
          return error(absl::StrCat("'", std::string(field), "' of ", d.server_pattern,
                                    " is not FIELD or FIELD=A>B (a CLIENT LIST field: a-z, '-')"));
        }
        d.without_fields.emplace_back(field);
      }
    }
    try {
      auto pattern = [&](const std::string& p) {
        return p == "*" || d.same_double || d.same_coords || !d.without_fields.empty()
                   ? std::string()
                   : p;
      };
      d.server_re = std::regex(pattern(d.server_pattern));
      d.engine_re = std::regex(pattern(d.engine_pattern));
    } catch (const std::regex_error& e) {
      return error(absl::StrCat("a pattern is not a regular expression: ", e.what()));
    }
    d.source = f[5];
    if (!d.source.starts_with("https://")) {
      return error("source '" + d.source + "' is not an https:// URL of a release note or commit");
    }
    d.what = f[6];
    if (d.what.empty()) return error("what is empty");
    rows.push_back(std::move(d));
  }
  return rows;
}

std::string CommandOf(std::string_view op) {
  // "send c3 | c3 data: FLUSHALL": the request is after the last " | ".
  if (const size_t bar = op.rfind(" | "); bar != std::string_view::npos) op.remove_prefix(bar + 3);
  std::vector<std::string_view> words;
  for (std::string_view w : Split(op, ' ')) {
    if (!w.empty()) words.push_back(w);
  }
  size_t i = 0;
  // A session or client name (s1, c2), then labels ending in ':'.
  if (i < words.size() && words[i].size() >= 2 && std::islower(words[i][0]) &&
      std::isdigit(static_cast<unsigned char>(words[i].back()))) {
    ++i;
  }
  while (i < words.size() && words[i].back() == ':') ++i;
  return i < words.size() ? absl::AsciiStrToUpper(std::string(words[i])) : std::string();
}

const VersionDifference* Explain(const std::vector<VersionDifference>& table,
                                 const ServerIdentity& server, const Divergence& d) {
  if (server.family == "redis" && server.version == kModelledVersion) return nullptr;
  const std::string command = CommandOf(d.op);
  for (const VersionDifference& row : table) {
    bool applies = false;
    for (const auto& [family, since] : row.applies) {
      applies = applies || (family == server.family && CompareVersions(server.version, since) >= 0);
    }
    if (!applies) continue;
    if (row.command != "*" && row.command != command) continue;
    if (row.same_double) {
      if (SameDouble(d.server, d.engine)) return &row;
      continue;
    }
    if (row.same_coords) {
      if (SameCoordinates(d.server, d.engine)) return &row;
      continue;
    }
    if (!row.without_fields.empty()) {
      if (SameWithoutFields(d.server, d.engine, row.without_fields)) return &row;
      continue;
    }
    if (!std::regex_search(d.server, row.server_re)) continue;
    if (!std::regex_search(d.engine, row.engine_re)) continue;
    return &row;
  }
  return nullptr;
}

Classification Classify(const std::vector<VersionDifference>& table, const ServerIdentity& server,
                        const std::vector<Divergence>& divergences) {
  Classification c;
  for (const Divergence& d : divergences) {
    const VersionDifference* row = Explain(table, server, d);
    c.row_of.push_back(row);
    DivergenceGroup& g = c.groups[CommandOf(d.op)];
    ++g.count;
    if (row != nullptr) {
      ++g.documented[row->id];
    } else {
      ++g.candidates;
      ++c.candidates;
    }
  }
  return c;
}

}  // namespace respfuzz::oracle
