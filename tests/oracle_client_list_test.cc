// The command oracle's CLIENT LIST comparison (tools/oracle_client_list.h):
// each side's reply is cut to the program's sessions' lines, in session
// order, so the server's lines of the oracle's own connections drop out and
// a session whose line differs still shows.
#include "tools/oracle_client_list.h"

#include <string>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"

namespace respfuzz::oracle {
namespace {

using resp::Type;
using resp::Value;

// The engine's side: sessions 0..3 have ids 1..4, its replica id 5.
int EngineSession(absl::string_view line) {
  int id = 0;
  if (!absl::SimpleAtoi(ClientField(line, "id"), &id) || id < 1 || id > 4) return -1;
  return id - 1;
}

// The server's side: sessions 0..3 connected from ports 40001..40004 (in
// another order, and after the admin connection).
int ServerSession(absl::string_view line) {
  const absl::string_view addr = ClientField(line, "addr");
  for (int t = 0; t < 4; ++t) {
    if (addr == absl::StrCat("127.0.0.1:", 40001 + t)) return t;
  }
  return -1;
}

constexpr char kEngine[] =
    "id=1 addr=? name= db=0 flags=N cmd=set\n"
    "id=2 addr=? name=b db=3 flags=x cmd=multi\n"
    "id=5 addr=127.0.0.1:1 name= db=0 flags=S cmd=sync\n";
constexpr char kServer[] =
    "id=7 addr=127.0.0.1:39000 name= db=0 flags=N cmd=client|list\n"
    "id=9 addr=127.0.0.1:40002 name=b db=3 flags=x cmd=multi\n"
    "id=8 addr=127.0.0.1:40001 name= db=0 flags=N cmd=set\n"
    "id=10 addr=127.0.0.1:45000 name= db=0 flags=S cmd=sync\n";

TEST(OracleClientList, FieldsAreRead) {
  const absl::string_view line = "id=12 addr=127.0.0.1:6379 name= db=0 idle=3";
  EXPECT_EQ(ClientField(line, "id"), "12");
  EXPECT_EQ(ClientField(line, "addr"), "127.0.0.1:6379");
  EXPECT_EQ(ClientField(line, "name"), "");
  EXPECT_EQ(ClientField(line, "idle"), "3");
  EXPECT_EQ(ClientField(line, "laddr"), "");  // absent
  EXPECT_EQ(ClientField(line, "i"), "");      // a prefix of a name is no name
}

TEST(OracleClientList, OnlyTheSessionsInSessionOrder) {
  Value mine = Value::Bulk(kEngine);
  Value theirs = Value::Bulk(kServer);
  KeepSessionLines(&mine, EngineSession);
  KeepSessionLines(&theirs, ServerSession);
  EXPECT_EQ(mine.str,
            "id=1 addr=? name= db=0 flags=N cmd=set\n"
            "id=2 addr=? name=b db=3 flags=x cmd=multi\n");
  EXPECT_EQ(theirs.str,
            "id=8 addr=127.0.0.1:40001 name= db=0 flags=N cmd=set\n"
            "id=9 addr=127.0.0.1:40002 name=b db=3 flags=x cmd=multi\n");
}

TEST(OracleClientList, VerbatimKeepsItsFormatAndErrorsStay) {
  Value v;
  v.type = Type::kVerbatim;
  v.str = std::string("txt:") + kServer;
  KeepSessionLines(&v, ServerSession);
  EXPECT_EQ(v.str.substr(0, 4), "txt:");
  EXPECT_EQ(v.str.find("39000"), std::string::npos);
  Value err = Value::Error("ERR Unknown client type 'nosuch'");
  KeepSessionLines(&err, ServerSession);
  EXPECT_EQ(err.str, "ERR Unknown client type 'nosuch'");
  Value none = Value::Bulk("id=7 addr=127.0.0.1:39000 flags=N\n");
  KeepSessionLines(&none, ServerSession);
  EXPECT_EQ(none.str, "");
}

// The comparison can fail: a session whose line differs on the server
// (its flags) still differs once both are cut; and without the cut (a
// session_of that keeps every line) the oracle's own connection would make
// even agreeing lists differ.
TEST(OracleClientList, ADifferenceStaysAndTheCutIsNeeded) {
  auto masked = [](Value v) {
    // The ids and addresses each side assigns, as the harness masks them.
    std::string out;
    for (absl::string_view line : absl::StrSplit(v.str, '\n', absl::SkipEmpty())) {
      absl::StrAppend(&out, line.substr(line.find(" name=")), "\n");
    }
    return out;
  };
  Value mine = Value::Bulk(kEngine);
  KeepSessionLines(&mine, EngineSession);
  Value theirs = Value::Bulk(kServer);
  KeepSessionLines(&theirs, ServerSession);
  EXPECT_EQ(masked(mine), masked(theirs));

  std::string changed = kServer;
  changed.replace(changed.find("flags=x"), 7, "flags=N");
  Value other = Value::Bulk(changed);
  KeepSessionLines(&other, ServerSession);
  EXPECT_NE(masked(mine), masked(other));

  Value uncut = Value::Bulk(kServer);
  KeepSessionLines(&uncut, [](absl::string_view) { return 0; });  // broken: keeps all
  EXPECT_NE(masked(mine), masked(uncut));
}

}  // namespace
}  // namespace respfuzz::oracle
