// tools/version_differences: the table's format and its errors, and which
// divergences a row explains on which server.
#include "tools/version_differences.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace respfuzz::oracle {
namespace {

constexpr char kRow[] =
    "hello-version\tredis>=7.2.0,valkey>=7.2.4\tHELLO\tversion\t7\\.0\\.15\t"
    "https://example.org/notes\tHELLO names the server's version.\n";

TEST(VersionDifferences, BuiltInTableParses) {
  absl::StatusOr<std::vector<VersionDifference>> t =
      ParseVersionDifferences(BuiltInVersionDifferences());
  ASSERT_TRUE(t.ok()) << t.status();
  for (const VersionDifference& row : *t) {
    EXPECT_FALSE(row.applies.empty()) << row.id;
    EXPECT_FALSE(row.what.empty()) << row.id;
  }
}

TEST(VersionDifferences, ParsesARow) {
  absl::StatusOr<std::vector<VersionDifference>> t =
      ParseVersionDifferences(std::string("# a comment\n\n") + kRow);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->size(), 1u);
  const VersionDifference& r = (*t)[0];
  EXPECT_EQ(r.id, "hello-version");
  ASSERT_EQ(r.applies.size(), 2u);
  EXPECT_EQ(r.applies[1], std::make_pair(std::string("valkey"), std::string("7.2.4")));
  EXPECT_EQ(r.command, "HELLO");
  EXPECT_EQ(r.line, 3);
}

TEST(VersionDifferences, EachBadRowIsOneLineNamingItsLine) {
  const std::string ok = kRow;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a\tb\n", "line 1: 2 tab-separated fields, want 7"},
      {"Bad Id\tredis>=8.0.0\t*\t*\t*\thttps://x\tw\n", "line 1: id 'Bad Id' is not a slug"},
      {"x\tredis>8.0.0\t*\t*\t*\thttps://x\tw\n", "applies: 'redis>8.0.0' is not"},
      {"x\tkeydb>=6.0.0\t*\t*\t*\thttps://x\tw\n", "applies: 'keydb>=6.0.0' is not"},
      {"x\tredis>=8.x\t*\t*\t*\thttps://x\tw\n", "applies: 'redis>=8.x' is not"},
      {"x\tredis>=7.0.15\t*\t*\t*\thttps://x\tw\n",
       "applies: 'redis>=7.0.15' includes redis 7.0.15, the version the engine models"},
      {"x\tredis>=7.0.0\t*\t*\t*\thttps://x\tw\n", "includes redis 7.0.15"},
      {"x\tredis>=8.0.0\tset\t*\t*\thttps://x\tw\n", "command 'set' is not * or an upper-case"},
      {"x\tredis>=8.0.0\tSET\t(\t*\thttps://x\tw\n", "a pattern is not a regular expression"},
      {"x\tredis>=8.0.0\tSET\t*\t*\twww.example.org\tw\n", "is not an https:// URL"},
      {"x\tredis>=8.0.0\tSET\t*\t*\thttps://x\t\n", "what is empty"},
      {ok + "# c\n" + ok, "line 3: id 'hello-version' is also line 1"},
  };
  for (const auto& [text, want] : cases) {
    absl::StatusOr<std::vector<VersionDifference>> t = ParseVersionDifferences(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_NE(t.status().message().find(want), std::string::npos)
        << text << " -> " << t.status().message();
    EXPECT_EQ(t.status().message().find('\n'), std::string::npos);
  }
}

TEST(VersionDifferences, SameDoubleIsOneNumberWrittenTwoWays) {
  EXPECT_TRUE(SameDouble("\"2.1\"", "\"2.1000000000000001\""));
  EXPECT_TRUE(SameDouble("1e+20", "\"100000000000000000000\""));
  EXPECT_FALSE(SameDouble("\"2.1\"", "\"2.1\""));  // not a difference
  EXPECT_FALSE(SameDouble("\"2.1\"", "\"2.2\""));
  EXPECT_FALSE(SameDouble("\"2.1\"", "[\"2.1000000000000001\"]"));
  EXPECT_FALSE(SameDouble("nil", "\"0\""));
  EXPECT_FALSE(SameDouble("\"\"", "\"0\""));
  // Invalidation-oracle frames (seen from redis 8.0.6: ZINCRBY, ZPOPMIN).
  EXPECT_TRUE(SameDouble(R"(c1 data: $19\r\n9223372036854776000\r\n)",
                         R"(c1 data: $22\r\n9.2233720368547758e+18\r\n)"));
  EXPECT_TRUE(SameDouble(R"(c1 data: *2\r\n$1\r\n1\r\n$19\r\n9223372036854776000\r\n)",
                         R"(c1 data: *2\r\n$1\r\n1\r\n$22\r\n9.2233720368547758e+18\r\n)"));
  EXPECT_FALSE(SameDouble(R"(c1 data: $3\r\n2.5\r\n)", R"(c1 data: $3\r\n2.5\r\n)"));
  EXPECT_FALSE(SameDouble(R"(c1 data: $3\r\n2.5\r\n)", R"(c1 data: $3\r\n3.5\r\n)"));
  EXPECT_FALSE(SameDouble(R"(c1 data: *2\r\n$1\r\na\r\n$3\r\n2.5\r\n)",
                          R"(c1 data: *2\r\n$1\r\nb\r\n$3\r\n2.5\r\n)"));
  EXPECT_FALSE(SameDouble(R"(c1 data: :1\r\n)", R"(c2 data: :1\r\n)"));
  EXPECT_FALSE(SameDouble(R"(c1 data: $3\r\n2.5\r\n)", R"(c1 data: $3\r\n2.5\r\n+OK\r\n)"));
  absl::StatusOr<std::vector<VersionDifference>> t =
      ParseVersionDifferences("d\tredis>=7.2.0\t*\t=double\t=double\thttps://x\tw\n");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE((*t)[0].same_double);
  const Divergence same{"p", 1, "s1 ZSCORE z m", "\"2.1000000000000001\"", "\"2.1\""};
  const Divergence other{"p", 1, "s1 ZSCORE z m", "\"2.1000000000000001\"", "\"2.2\""};
  EXPECT_EQ(Explain(*t, {"redis", "8.0.6"}, same), &(*t)[0]);
  EXPECT_EQ(Explain(*t, {"redis", "8.0.6"}, other), nullptr);
  t = ParseVersionDifferences("d\tredis>=7.2.0\t*\t=double\t.*\thttps://x\tw\n");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("both =double or neither"), std::string::npos);
}

// Replies with several numbers: =double takes each differing pair as the
// same double; =coords takes the engine's as the "%.17Lf"-trimmed text of the
// server's double (or the double that text reads back as).
TEST(VersionDifferences, NumbersInsideAReply) {
  EXPECT_TRUE(SameDouble(R"(["a", "56.441257870158204", "b", "1"])",
                         R"(["a", "56.4412578701582", "b", "1"])"));
  EXPECT_FALSE(SameDouble(R"(["a", "56.441257870158204"])", R"(["a", "56.44125787015821"])"));
  EXPECT_FALSE(SameDouble(R"(["a", "56.441257870158204"])", R"(["b", "56.4412578701582"])"));
  EXPECT_FALSE(SameDouble(R"(["a", "1"])", R"(["a", "1"])"));
  // server first, engine second
  EXPECT_TRUE(SameCoordinates(R"([["13.361389338970184", "38.1155563954963"], nil])",
                              R"([["13.36138933897018433", "38.11555639549629859"], nil])"));
  EXPECT_TRUE(
      SameCoordinates(R"([double(2.682209014892578e-06)])", R"([double(2.68220901489e-06)])"));
  // The same double in another text than 7.0.15's: not a coordinate.
  EXPECT_FALSE(SameCoordinates(R"(["56.4412578701582"])", R"(["56.441257870158204"])"));
  // Another number, or the relation the wrong way round.
  EXPECT_FALSE(SameCoordinates(R"(["13.361389338970184"])", R"(["13.36138933897018434"])"));
  EXPECT_FALSE(SameCoordinates(R"(["13.36138933897018433"])", R"(["13.361389338970184"])"));
  EXPECT_FALSE(SameCoordinates(R"(["13.361389338970184"])", R"(["13.361389338970184"])"));
  absl::StatusOr<std::vector<VersionDifference>> t =
      ParseVersionDifferences("d\tredis>=8.0.0\t*\t=coords\t.*\thttps://x\tw\n");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("both =coords or neither"), std::string::npos);
}

// =without: the fields a newer server adds are taken out of both sides;
// any other difference stays, and FIELD=A>B applies only where the server
// printed FIELD=A.
TEST(VersionDifferences, WithoutFieldsComparesTheRest) {
  const std::vector<std::string> fields = {"watch", "lib-name"};
  const std::string engine = R"("id=? flags=N multi=-1 qbuf=? resp=2\n")";
  EXPECT_TRUE(SameWithoutFields(R"("id=? flags=N multi=-1 watch=0 qbuf=? resp=2 lib-name=\n")",
                                engine, fields));
  // A field 7.0.15 has, different: not explained.
  EXPECT_FALSE(SameWithoutFields(R"("id=? flags=x multi=-1 watch=0 qbuf=? resp=2 lib-name=\n")",
                                 engine, fields));
  // The same text: no divergence to explain.
  EXPECT_FALSE(SameWithoutFields(engine, engine, fields));
  // A name that only starts like a cut field stays.
  EXPECT_FALSE(
      SameWithoutFields(R"("id=? flags=N multi=-1 watchers=0 qbuf=? resp=2\n")", engine, fields));
  const std::vector<std::string> multi = {"watch", "multi=0>-1"};
  EXPECT_TRUE(
      SameWithoutFields(R"("id=? flags=N multi=0 watch=1 qbuf=? resp=2\n")", engine, multi));
  // No multi=0 on the server: the rewrite row does not apply.
  EXPECT_FALSE(
      SameWithoutFields(R"("id=? flags=N multi=-1 watch=1 qbuf=? resp=2\n")", engine, multi));
  // multi=0 against an engine in a transaction: still a difference.
  EXPECT_FALSE(SameWithoutFields(R"("id=? flags=N multi=0 watch=1 qbuf=? resp=2\n")",
                                 R"("id=? flags=N multi=2 qbuf=? resp=2\n")", multi));
  // multi=01 is not multi=0.
  EXPECT_FALSE(SameWithoutFields(R"("id=? flags=N multi=01 qbuf=? resp=2\n")", engine, multi));
  for (const char* bad :
       {"=without:watch\t=without:lib-name", "=without:Watch\t=without:Watch",
        "=without:multi=0\t=without:multi=0", "=without:\t=without:", "=without:watch\t*"}) {
    absl::StatusOr<std::vector<VersionDifference>> t =
        ParseVersionDifferences(absl::StrCat("d\tvalkey>=8.0.0\t*\t", bad, "\thttps://x\tw\n"));
    EXPECT_FALSE(t.ok()) << bad;
  }
  absl::StatusOr<std::vector<VersionDifference>> ok = ParseVersionDifferences(
      "d\tvalkey>=8.0.0\t*\t=without:watch,multi=0>-1\t=without:watch,multi=0>-1\thttps://x\tw\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].without_fields, multi);
}

// Divergences recorded from redis-server 8.0.6 and valkey-server 9.1.2 over
// corpus/command_handler and corpus/invalidation (one of each kind), with the
// row that documents each: the built-in table explains each by that row, and
// without that row each is a candidate.
TEST(VersionDifferences, BuiltInTableExplainsTheRecordedDivergences) {
  absl::StatusOr<std::vector<VersionDifference>> table =
      ParseVersionDifferences(BuiltInVersionDifferences());
  ASSERT_TRUE(table.ok()) << table.status();
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) +
                   "/tests/fixtures/oracle/version_divergences.jsonl");
  ASSERT_TRUE(in) << "no fixture";
  std::set<std::string> rows_seen;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++n;
    const nlohmann::json j = nlohmann::json::parse(line);
    const ServerIdentity server{j["family"], j["version"]};
    const Divergence d{"fixture", 0, j["op"], j["engine"], j["server"]};
    const std::string want = j["row"];
    SCOPED_TRACE(server.Describe() + ": " + d.op);
    const VersionDifference* row = Explain(*table, server, d);
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->id, want);
    rows_seen.insert(want);
    std::vector<VersionDifference> without;
    for (const VersionDifference& r : *table) {
      if (r.id != want) without.push_back(r);
    }
    EXPECT_EQ(Explain(without, server, d), nullptr);
    // The modelled version never.
    EXPECT_EQ(Explain(*table, {"redis", "7.0.15"}, d), nullptr);
  }
  EXPECT_GE(n, 10);
  // Every row of the table has a recorded divergence it explains.
  for (const VersionDifference& r : *table) EXPECT_TRUE(rows_seen.contains(r.id)) << r.id;
}

TEST(VersionDifferences, CompareVersions) {
  EXPECT_EQ(CompareVersions("8.0.6", "8.0.6"), 0);
  EXPECT_EQ(CompareVersions("7.0.15", "7.2.0"), -1);
  EXPECT_EQ(CompareVersions("7.10.0", "7.9.9"), 1);
  EXPECT_EQ(CompareVersions("9.1", "9.1.0"), 0);
  EXPECT_EQ(CompareVersions("9.1.2", "9.1"), 1);
}

TEST(VersionDifferences, CommandOfTheOraclesOps) {
  EXPECT_EQ(CommandOf("s1 SET k v"), "SET");
  EXPECT_EQ(CommandOf("s12 object encoding k"), "OBJECT");
  EXPECT_EQ(CommandOf("c2 data: MSET k 1"), "MSET");
  EXPECT_EQ(CommandOf("c1 tracking: CLIENT TRACKING on"), "CLIENT");
  EXPECT_EQ(CommandOf("GET k"), "GET");
  EXPECT_EQ(CommandOf("send c3 | c3 data: FLUSHALL"), "FLUSHALL");
  EXPECT_EQ(CommandOf("(connecting) | admin: HELLO 3"), "HELLO");
  EXPECT_EQ(CommandOf(""), "");
}

TEST(VersionDifferences, IdentityFromInfo) {
  ServerIdentity r =
      IdentityFromInfo("# Server\r\nredis_version:8.0.6\r\nredis_mode:standalone\r\n");
  EXPECT_EQ(r.family, "redis");
  EXPECT_EQ(r.version, "8.0.6");
  ServerIdentity v =
      IdentityFromInfo("redis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:9.1.2\r\n");
  EXPECT_EQ(v.family, "valkey");
  EXPECT_EQ(v.version, "9.1.2");
  EXPECT_EQ(v.Describe(), "valkey-server 9.1.2");
}

TEST(VersionDifferences, ExplainNeedsFamilyVersionCommandAndBothPatterns) {
  absl::StatusOr<std::vector<VersionDifference>> t = ParseVersionDifferences(kRow);
  ASSERT_TRUE(t.ok()) << t.status();
  const Divergence d{"p.txt", 3, "s1 HELLO 3", "%7 ... version 7.0.15", "%7 ... version 8.0.6"};
  EXPECT_EQ(Explain(*t, {"redis", "8.0.6"}, d), &(*t)[0]);
  EXPECT_EQ(Explain(*t, {"redis", "7.2.0"}, d), &(*t)[0]);
  EXPECT_EQ(Explain(*t, {"valkey", "9.1.2"}, d), &(*t)[0]);
  EXPECT_EQ(Explain(*t, {"valkey", "7.2.3"}, d), nullptr);  // older than the row
  EXPECT_EQ(Explain(*t, {"redis", "7.1.9"}, d), nullptr);
  // The modelled version is never explained, whatever the table says.
  EXPECT_EQ(Explain(*t, {"redis", "7.0.15"}, d), nullptr);
  Divergence other = d;
  other.op = "s1 PING";
  EXPECT_EQ(Explain(*t, {"redis", "8.0.6"}, other), nullptr);
  other = d;
  other.server = "-ERR unknown command";
  EXPECT_EQ(Explain(*t, {"redis", "8.0.6"}, other), nullptr);
  other = d;
  other.engine = "%7 ... version 7.0.16";
  EXPECT_EQ(Explain(*t, {"redis", "8.0.6"}, other), nullptr);
}

TEST(VersionDifferences, ClassifyGroupsByCommand) {
  absl::StatusOr<std::vector<VersionDifference>> t = ParseVersionDifferences(kRow);
  ASSERT_TRUE(t.ok()) << t.status();
  const std::vector<Divergence> ds = {
      {"a", 1, "s1 HELLO 3", "version 7.0.15", "version 8.0.6"},
      {"a", 2, "s2 HELLO 2", "version 7.0.15", "version 8.0.6"},
      {"b", 1, "s1 HELLO 3", "version 7.0.15", "-NOPROTO"},
      {"b", 4, "s1 OBJECT ENCODING k", "listpack", "hashtable"},
  };
  Classification c = Classify(*t, {"redis", "8.0.6"}, ds);
  EXPECT_EQ(c.candidates, 2u);
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_EQ(c.groups["HELLO"].count, 3u);
  EXPECT_EQ(c.groups["HELLO"].documented["hello-version"], 2u);
  EXPECT_EQ(c.groups["HELLO"].candidates, 1u);
  EXPECT_EQ(c.groups["OBJECT"].candidates, 1u);
  ASSERT_EQ(c.row_of.size(), 4u);
  EXPECT_NE(c.row_of[0], nullptr);
  EXPECT_EQ(c.row_of[2], nullptr);
  // Against 7.0.15 every divergence is a candidate.
  EXPECT_EQ(Classify(*t, {"redis", "7.0.15"}, ds).candidates, 4u);
}

}  // namespace
}  // namespace respfuzz::oracle
