// The reference model (harnesses/programs/reference_model.h) against
// redis-server 7.0.15.
//
// Every expected reply below is the raw bytes a real redis-server 7.0.15
// (Debian build) sent for the same command, recorded on a fresh server
// (FLUSHALL, one connection per session, `proto-max-bulk-len 1mb`, active
// expiry off via DEBUG SET-ACTIVE-EXPIRE 0). Recording conventions:
//   {-1, {"clock", "N"}}      the recorder slept N ms; the model's clock advances N ms
//   {-1, {"active-expire"}}   the recorder let one active expiry cycle run; ActiveExpire()
//   {now+N} {now-N} {nows+N}  absolute unix ms / s, taken from the server's clock
//   client ids                the server's connection ids, rewritten to session + 1
// Unordered replies (SMEMBERS, SINTER, SUNION, SDIFF, HKEYS, HVALS, HGETALL,
// KEYS, SCAN's keys) are sorted on both sides before comparing, as the
// command_handler harness does; everything else must be identical, types included
// (RESP3 doubles compare by value).
#include "harnesses/programs/reference_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "src/resp/reader.h"
#include "src/resp/value.h"

namespace respfuzz::programs {
namespace {

using resp::Type;
using resp::Value;
using namespace std::string_literals;  // recorded bytes may hold NULs

struct Step {
  int session;
  std::vector<std::string> argv;
  std::string reply;  // raw bytes from redis-server 7.0.15
};

ReferenceOptions TestOptions() {
  ReferenceOptions o;
  o.max_string_len = 1024 * 1024;  // the recording server's proto-max-bulk-len
  return o;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

Value Parse(const std::string& bytes) {
  resp::ReaderError err;
  bool complete = false;
  std::vector<Value> v = resp::ReadAll(bytes, resp::Protocol::kResp3, {}, &err, &complete);
  EXPECT_EQ(v.size(), 1u) << "bad recorded reply: " << bytes;
  return v.empty() ? Value::Error("unparsable recorded reply") : v[0];
}

std::string Key(const Value& v) { return resp::ToDebugString(v); }

// Sorts the elements of an unordered reply (pairs for maps and HGETALL).
Value Normalize(const std::string& command, Value v) {
  static const std::vector<std::string> kUnordered = {"smembers", "sinter", "sunion", "sdiff",
                                                      "hkeys",    "hvals",  "keys",   "hgetall",
                                                      "scan"};
  if (std::find(kUnordered.begin(), kUnordered.end(), command) == kUnordered.end()) return v;
  if (command == "scan") {
    if (v.type == Type::kArray && v.elems.size() == 2) {
      auto& keys = v.elems[1].elems;
      std::sort(keys.begin(), keys.end(),
                [](const Value& a, const Value& b) { return Key(a) < Key(b); });
    }
    return v;
  }
  if (v.type == Type::kMap || (command == "hgetall" && v.type == Type::kArray)) {
    std::vector<std::pair<Value, Value>> pairs;
    for (size_t i = 0; i + 1 < v.elems.size(); i += 2) pairs.push_back({v.elems[i], v.elems[i + 1]});
    std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
      return Key(a.first) + Key(a.second) < Key(b.first) + Key(b.second);
    });
    v.elems.clear();
    for (auto& [a, b] : pairs) {
      v.elems.push_back(a);
      v.elems.push_back(b);
    }
    return v;
  }
  if (v.type == Type::kArray || v.type == Type::kSet) {
    std::sort(v.elems.begin(), v.elems.end(),
              [](const Value& a, const Value& b) { return Key(a) < Key(b); });
  }
  return v;
}

// {now+N} / {now-N}: unix ms; {nows+N}: unix seconds; from the model's clock.
std::string Substitute(const std::string& arg, int64_t now) {
  if (arg.size() > 6 && arg.front() == '{' && arg.back() == '}') {
    std::string body = arg.substr(1, arg.size() - 2);
    if (body.rfind("nows", 0) == 0) return std::to_string(now / 1000 + std::stoll(body.substr(4)));
    if (body.rfind("now", 0) == 0) return std::to_string(now + std::stoll(body.substr(3)));
  }
  return arg;
}

std::string Describe(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out.substr(0, 200);
}

void RunScript(const std::vector<Step>& steps, ReferenceOptions options = TestOptions()) {
  ReferenceModel model(options);
  std::vector<std::vector<std::string>> queued(options.sessions);
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    if (step.session < 0) {
      if (step.argv[0] == "clock") model.AdvanceClock(std::stoll(step.argv[1]));
      if (step.argv[0] == "active-expire") model.ActiveExpire();
      continue;
    }
    std::vector<std::string> argv;
    for (const std::string& a : step.argv) argv.push_back(Substitute(a, model.now_ms()));
    Value got = model.Execute(step.session, argv);
    Value want = Parse(step.reply);
    std::string name = Lower(argv[0]);
    std::vector<std::string>& q = queued[step.session];
    if (name == "exec" && got.type == Type::kArray && want.type == Type::kArray &&
        got.elems.size() == q.size() && want.elems.size() == q.size()) {
      for (size_t j = 0; j < q.size(); ++j) {
        got.elems[j] = Normalize(q[j], got.elems[j]);
        want.elems[j] = Normalize(q[j], want.elems[j]);
      }
    } else {
      got = Normalize(name, got);
      want = Normalize(name, want);
    }
    if (want.type == Type::kSimpleString && want.str == "QUEUED") q.push_back(name);
    if (name == "exec" || name == "discard" ||
        (name == "multi" && want.type == Type::kSimpleString)) {
      q.clear();
    }
    EXPECT_TRUE(got == want) << "step " << i << ": c" << step.session << " " << Describe(argv)
                             << "\n  redis: " << resp::ToDebugString(want)
                             << "\n  model: " << resp::ToDebugString(got);
  }
}

TEST(ReferenceModelTest, ConnectionAndTransactions) {
  RunScript({
      // PING, ECHO, unknown commands and arity errors
      {0, {"PING"}, "+PONG\r\n"},
      {0, {"PING", "hello"}, "$5\r\nhello\r\n"},
      {0, {"PING", "a", "b"}, "-ERR wrong number of arguments for 'ping' command\r\n"},
      {0, {"ECHO", "a b"}, "$3\r\na b\r\n"},
      {0, {"ECHO"}, "-ERR wrong number of arguments for 'echo' command\r\n"},
      {0, {"FOO", "bar", "x y", ""}, "-ERR unknown command 'FOO', with args beginning with: 'bar' 'x y' '' \r\n"},
      {0, {"foo"}, "-ERR unknown command 'foo', with args beginning with: \r\n"},
      {0, {"FOO", "a\r\nb"}, "-ERR unknown command 'FOO', with args beginning with: 'a  b' \r\n"},
      {0, {"NOPE", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "zzz"}, "-ERR unknown command 'NOPE', with args beginning with: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' 'yyyyyyyyyyyyyyyyyyyyyyyyy' \r\n"},
      {0, {"get"}, "-ERR wrong number of arguments for 'get' command\r\n"},
      {0, {"GET", "a", "b"}, "-ERR wrong number of arguments for 'get' command\r\n"},
      {0, {"CLIENT"}, "-ERR wrong number of arguments for 'client' command\r\n"},
      {0, {"CLIENT", "ID"}, ":1\r\n"},
      {1, {"client", "id"}, ":2\r\n"},
      {0, {"CLIENT", "ID", "x"}, "-ERR wrong number of arguments for 'client|id' command\r\n"},
      {0, {"CLIENT", "foo", "bar"}, "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"},
      // HELLO: reply shape, errors, and the protocol switch
      {0, {"HELLO"}, "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      {0, {"HELLO", "4"}, "-NOPROTO unsupported protocol version\r\n"},
      {0, {"HELLO", "1"}, "-NOPROTO unsupported protocol version\r\n"},
      {0, {"HELLO", "abc"}, "-ERR Protocol version is not an integer or out of range\r\n"},
      {0, {"HELLO", "3", "FOO"}, "-ERR Syntax error in HELLO option 'FOO'\r\n"},
      {0, {"HELLO", "3", "SETNAME"}, "-ERR Syntax error in HELLO option 'SETNAME'\r\n"},
      {0, {"HELLO", "3", "SETNAME", "a b"}, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
      {0, {"HELLO", "3", "AUTH", "bob", "pw"}, "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
      {0, {"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "me"}, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      {0, {"GET", "missing"}, "_\r\n"},
      {0, {"HELLO"}, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      {0, {"HELLO", "2"}, "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      {0, {"GET", "missing"}, "$-1\r\n"},
      {1, {"HELLO", "3"}, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:2\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      {1, {"HGETALL", "missing"}, "%0\r\n"},
      {1, {"SMEMBERS", "missing"}, "~0\r\n"},
      {0, {"HGETALL", "missing"}, "*0\r\n"},
      {0, {"SMEMBERS", "missing"}, "*0\r\n"},
      {1, {"HELLO", "2"}, "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:2\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      // SELECT: each session has its own db
      {0, {"SELECT", "16"}, "-ERR DB index is out of range\r\n"},
      {0, {"SELECT", "-1"}, "-ERR DB index is out of range\r\n"},
      {0, {"SELECT", "abc"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SELECT", "99999999999"}, "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"},
      {0, {"SELECT", "1"}, "+OK\r\n"},
      {0, {"SET", "k", "db1"}, "+OK\r\n"},
      {1, {"GET", "k"}, "$-1\r\n"},
      {0, {"GET", "k"}, "$3\r\ndb1\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      // MULTI / EXEC / DISCARD
      {0, {"EXEC"}, "-ERR EXEC without MULTI\r\n"},
      {0, {"DISCARD"}, "-ERR DISCARD without MULTI\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"MULTI"}, "-ERR MULTI calls can not be nested\r\n"},
      {0, {"WATCH", "k"}, "-ERR WATCH inside MULTI is not allowed\r\n"},
      {0, {"SET", "a", "1"}, "+QUEUED\r\n"},
      {0, {"INCR", "a"}, "+QUEUED\r\n"},
      {0, {"PING", "a", "b", "c"}, "+QUEUED\r\n"},
      {0, {"LPUSH", "a", "x"}, "+QUEUED\r\n"},
      {0, {"GET", "a"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*5\r\n+OK\r\n:2\r\n-ERR wrong number of arguments for 'ping' command\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$1\r\n2\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"SET", "a", "2"}, "+QUEUED\r\n"},
      {0, {"NOPE"}, "-ERR unknown command 'NOPE', with args beginning with: \r\n"},
      {0, {"GET", "a"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
      {0, {"GET", "a"}, "$1\r\n2\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "a", "x"}, "-ERR wrong number of arguments for 'get' command\r\n"},
      {0, {"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"DISCARD", "x"}, "-ERR wrong number of arguments for 'discard' command\r\n"},
      {0, {"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"SET", "a", "3"}, "+QUEUED\r\n"},
      {0, {"DISCARD"}, "+OK\r\n"},
      {0, {"GET", "a"}, "$1\r\n2\r\n"},
      {0, {"EXEC", "x"}, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC", "x"}, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"},
      {0, {"EXEC"}, "-ERR EXEC without MULTI\r\n"},
      {0, {"MULTI", "x"}, "-ERR wrong number of arguments for 'multi' command\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"MULTI", "x"}, "-ERR wrong number of arguments for 'multi' command\r\n"},
      {0, {"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
      // HELLO inside MULTI changes the protocol in the middle of EXEC's reply
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "missing"}, "+QUEUED\r\n"},
      {0, {"HELLO", "3"}, "+QUEUED\r\n"},
      {0, {"GET", "missing"}, "+QUEUED\r\n"},
      {0, {"HGETALL", "missing"}, "+QUEUED\r\n"},
      {0, {"HELLO", "2"}, "+QUEUED\r\n"},
      {0, {"GET", "missing"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*6\r\n$-1\r\n%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n_\r\n%0\r\n*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n$-1\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"SELECT", "3"}, "+QUEUED\r\n"},
      {0, {"SET", "indb3", "v"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*2\r\n+OK\r\n+OK\r\n"},
      {0, {"GET", "indb3"}, "$1\r\nv\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      // WATCH across sessions
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {1, {"SET", "w", "1"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "w"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {0, {"SET", "w", "2"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "w"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {0, {"GET", "w"}, "$1\r\n2\r\n"},
      {1, {"GET", "w"}, "$1\r\n2\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "w"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*1\r\n$1\r\n2\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {1, {"SET", "w", "1"}, "+OK\r\n"},
      {1, {"SET", "w", "1"}, "+OK\r\n"},
      {0, {"WATCH", "other"}, "+OK\r\n"},
      {0, {"UNWATCH"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "w"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*1\r\n$1\r\n1\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"DISCARD"}, "+OK\r\n"},
      {1, {"SET", "w", "5"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "w"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*1\r\n$1\r\n5\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {1, {"INCR", "w"}, ":6\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"SET", "w", "0"}, "+QUEUED\r\n"},
      {0, {"UNWATCH"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      {0, {"GET", "w"}, "$1\r\n6\r\n"},
      // the key is watched in the db of the WATCH
      {0, {"SELECT", "1"}, "+OK\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      {2, {"SET", "w", "x"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {2, {"SELECT", "1"}, "+OK\r\n"},
      {2, {"SET", "w", "x"}, "+OK\r\n"},
      {2, {"SELECT", "0"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      // a command that does not change the key does not touch it
      {0, {"WATCH", "nokey", "w"}, "+OK\r\n"},
      {1, {"DEL", "nokey"}, ":0\r\n"},
      {1, {"SREM", "w", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {1, {"LPUSHX", "nokey", "x"}, ":0\r\n"},
      {1, {"EXPIRE", "nokey", "10"}, ":0\r\n"},
      {1, {"PERSIST", "w"}, ":0\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      // FLUSHDB / FLUSHALL touch watched keys that exist
      {0, {"SET", "fk", "1"}, "+OK\r\n"},
      {0, {"WATCH", "fk"}, "+OK\r\n"},
      {1, {"FLUSHDB"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      {0, {"WATCH", "nokey3"}, "+OK\r\n"},
      {1, {"FLUSHALL"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      {0, {"SELECT", "5"}, "+OK\r\n"},
      {0, {"SET", "f5", "v"}, "+OK\r\n"},
      {0, {"WATCH", "f5"}, "+OK\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      {1, {"FLUSHDB"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      {0, {"WATCH", "f5"}, "+OK\r\n"},
      {1, {"FLUSHALL"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      // SWAPDB touches keys present on either side
      {0, {"SELECT", "2"}, "+OK\r\n"},
      {0, {"SET", "sw", "1"}, "+OK\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      {0, {"WATCH", "sw"}, "+OK\r\n"},
      {1, {"SWAPDB", "0", "2"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "sw"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      {0, {"WATCH", "sw"}, "+OK\r\n"},
      {1, {"SWAPDB", "3", "4"}, "+OK\r\n"},
      {1, {"SWAPDB", "0", "0"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      // several watchers
      {0, {"WATCH", "m"}, "+OK\r\n"},
      {1, {"WATCH", "m"}, "+OK\r\n"},
      {2, {"WATCH", "m"}, "+OK\r\n"},
      {3, {"SET", "m", "1"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      {1, {"MULTI"}, "+OK\r\n"},
      {1, {"EXEC"}, "*-1\r\n"},
      {2, {"MULTI"}, "+OK\r\n"},
      {2, {"EXEC"}, "*-1\r\n"},
      // RESP3: an aborted EXEC is a null
      {0, {"HELLO", "3"}, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      {0, {"WATCH", "w"}, "+OK\r\n"},
      {1, {"SET", "w", "9"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "_\r\n"},
      {0, {"HELLO", "2"}, "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      // runtime errors stay inside EXEC's array
      {0, {"SET", "s", "str"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"LPUSH", "s", "x"}, "+QUEUED\r\n"},
      {0, {"INCR", "s"}, "+QUEUED\r\n"},
      {0, {"SET", "s2", "v"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*3\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-ERR value is not an integer or out of range\r\n+OK\r\n"},
  });
}

TEST(ReferenceModelTest, ExpiryAndWatch) {
  RunScript({
      // lazy expiry: an expired key stays counted by DBSIZE until something looks it up
      {0, {"SET", "a", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"SET", "b", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"SET", "c", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"SET", "d", "v"}, "+OK\r\n"},
      {0, {"TTL", "a"}, ":0\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"DBSIZE"}, ":4\r\n"},
      {0, {"KEYS", "*"}, "*1\r\n$1\r\nd\r\n"},
      {0, {"DBSIZE"}, ":4\r\n"},
      {0, {"EXISTS", "a"}, ":0\r\n"},
      {0, {"DBSIZE"}, ":3\r\n"},
      {0, {"TTL", "b"}, ":-2\r\n"},
      {0, {"DBSIZE"}, ":2\r\n"},
      {0, {"SCAN", "0", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nd\r\n"},
      {0, {"DBSIZE"}, ":1\r\n"},
      {0, {"GET", "d"}, "$1\r\nv\r\n"},
      // TTL rounds to the nearest second
      {0, {"SET", "t", "v", "PX", "1500"}, "+OK\r\n"},
      {0, {"TTL", "t"}, ":2\r\n"},
      {0, {"SET", "t", "v", "PX", "1499"}, "+OK\r\n"},
      {0, {"TTL", "t"}, ":1\r\n"},
      {0, {"SET", "t", "v", "PX", "500"}, "+OK\r\n"},
      {0, {"TTL", "t"}, ":1\r\n"},
      {0, {"SET", "t", "v", "PX", "499"}, "+OK\r\n"},
      {0, {"TTL", "t"}, ":0\r\n"},
      {0, {"PERSIST", "t"}, ":1\r\n"},
      {0, {"TTL", "t"}, ":-1\r\n"},
      {0, {"PERSIST", "t"}, ":0\r\n"},
      {0, {"TTL", "missing"}, ":-2\r\n"},
      {0, {"PTTL", "missing"}, ":-2\r\n"},
      {0, {"PERSIST", "missing"}, ":0\r\n"},
      // EXPIRE family: times at or before now delete the key
      {0, {"SET", "e", "v"}, "+OK\r\n"},
      {0, {"EXPIRE", "e", "0"}, ":1\r\n"},
      {0, {"EXISTS", "e"}, ":0\r\n"},
      {0, {"SET", "e", "v"}, "+OK\r\n"},
      {0, {"PEXPIRE", "e", "-5"}, ":1\r\n"},
      {0, {"EXISTS", "e"}, ":0\r\n"},
      {0, {"SET", "e", "v"}, "+OK\r\n"},
      {0, {"PEXPIREAT", "e", "{now-1}"}, ":1\r\n"},
      {0, {"EXISTS", "e"}, ":0\r\n"},
      {0, {"SET", "e", "v"}, "+OK\r\n"},
      {0, {"EXPIREAT", "e", "1"}, ":1\r\n"},
      {0, {"EXISTS", "e"}, ":0\r\n"},
      {0, {"SET", "e", "v"}, "+OK\r\n"},
      {0, {"PEXPIREAT", "e", "{now+100000}"}, ":1\r\n"},
      {0, {"TTL", "e"}, ":100\r\n"},
      {0, {"EXPIRE", "missing", "10"}, ":0\r\n"},
      {0, {"EXPIRE", "e", "abc"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"EXPIRE", "e", "10", "FOO"}, "-ERR Unsupported option FOO\r\n"},
      {0, {"EXPIRE", "e", "10", "NX", "XX"}, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"},
      {0, {"EXPIRE", "e", "10", "NX", "GT"}, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"},
      {0, {"EXPIRE", "e", "10", "GT", "LT"}, "-ERR GT and LT options at the same time are not compatible\r\n"},
      {0, {"EXPIRE", "e", "10", "nx"}, ":0\r\n"},
      {0, {"EXPIRE", "e", "200", "NX"}, ":0\r\n"},
      {0, {"EXPIRE", "e", "200", "GT"}, ":1\r\n"},
      {0, {"TTL", "e"}, ":200\r\n"},
      {0, {"EXPIRE", "e", "50", "GT"}, ":0\r\n"},
      {0, {"EXPIRE", "e", "50", "LT"}, ":1\r\n"},
      {0, {"TTL", "e"}, ":50\r\n"},
      {0, {"EXPIRE", "e", "300", "LT"}, ":0\r\n"},
      {0, {"PERSIST", "e"}, ":1\r\n"},
      {0, {"EXPIRE", "e", "300", "XX"}, ":0\r\n"},
      {0, {"EXPIRE", "e", "300", "GT"}, ":0\r\n"},
      {0, {"EXPIRE", "e", "300", "LT"}, ":1\r\n"},
      {0, {"TTL", "e"}, ":300\r\n"},
      {0, {"EXPIRE", "e", "-1", "LT"}, ":1\r\n"},
      {0, {"EXISTS", "e"}, ":0\r\n"},
      // overflow checks
      {0, {"SET", "o", "v"}, "+OK\r\n"},
      {0, {"EXPIRE", "o", "9223372036854775807"}, "-ERR invalid expire time in 'expire' command\r\n"},
      {0, {"EXPIRE", "o", "9223372036854775"}, "-ERR invalid expire time in 'expire' command\r\n"},
      {0, {"EXPIRE", "o", "-9223372036854775"}, ":1\r\n"},
      {0, {"EXPIRE", "o", "-9223372036854776"}, "-ERR invalid expire time in 'expire' command\r\n"},
      {0, {"PEXPIRE", "o", "9223372036854775807"}, "-ERR invalid expire time in 'pexpire' command\r\n"},
      {0, {"EXPIREAT", "o", "9223372036854775"}, ":0\r\n"},
      {0, {"PEXPIREAT", "o", "9223372036854775807"}, ":0\r\n"},
      {0, {"EXPIRE", "o", "9223370000000000"}, ":0\r\n"},
      {0, {"PEXPIRE", "o", "9223370000000000000"}, ":0\r\n"},
      {0, {"EXISTS", "o"}, ":0\r\n"},
      {0, {"SET", "o", "v", "EX", "9223372036854775"}, "-ERR invalid expire time in 'set' command\r\n"},
      {0, {"SET", "o", "v", "EX", "9223372036854776"}, "-ERR invalid expire time in 'set' command\r\n"},
      {0, {"SET", "o", "v", "PX", "9223372036854775807"}, "-ERR invalid expire time in 'set' command\r\n"},
      {0, {"SET", "o", "v", "PXAT", "9223372036854775807"}, "+OK\r\n"},
      {0, {"SET", "o", "v", "EX", "9223370000000000"}, "+OK\r\n"},
      {0, {"SET", "o", "v", "EX", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
      {0, {"SET", "o", "v", "PX", "-1"}, "-ERR invalid expire time in 'set' command\r\n"},
      {0, {"SET", "o", "v", "EXAT", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
      {0, {"SET", "o", "v", "PX", "abc"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SETEX", "o", "0", "v"}, "-ERR invalid expire time in 'setex' command\r\n"},
      {0, {"PSETEX", "o", "-1", "v"}, "-ERR invalid expire time in 'psetex' command\r\n"},
      {0, {"SETEX", "o", "9223372036854775807", "v"}, "-ERR invalid expire time in 'setex' command\r\n"},
      {0, {"SETEX", "o", "abc", "v"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"GETEX", "o", "EX", "0"}, "-ERR invalid expire time in 'getex' command\r\n"},
      {0, {"GETEX", "o", "PX", "9223372036854775807"}, "-ERR invalid expire time in 'getex' command\r\n"},
      {0, {"GETEX", "missing", "EX", "0"}, "$-1\r\n"},
      // SET with an absolute time in the past keeps the (expired) key until it is looked up
      {0, {"DEL", "p"}, ":0\r\n"},
      {0, {"SET", "p", "v", "PXAT", "1"}, "+OK\r\n"},
      {0, {"DBSIZE"}, ":4\r\n"},
      {0, {"GET", "p"}, "$-1\r\n"},
      {0, {"DBSIZE"}, ":3\r\n"},
      // GETEX with EXAT/PXAT in the past deletes; PERSIST
      {0, {"SET", "g", "v"}, "+OK\r\n"},
      {0, {"GETEX", "g", "PXAT", "1"}, "$1\r\nv\r\n"},
      {0, {"EXISTS", "g"}, ":0\r\n"},
      {0, {"SET", "g", "v", "EX", "100"}, "+OK\r\n"},
      {0, {"GETEX", "g", "PERSIST"}, "$1\r\nv\r\n"},
      {0, {"TTL", "g"}, ":-1\r\n"},
      {0, {"GETEX", "g", "PX", "5000"}, "$1\r\nv\r\n"},
      {0, {"TTL", "g"}, ":5\r\n"},
      {0, {"GETEX", "g"}, "$1\r\nv\r\n"},
      {0, {"GETEX", "g", "EX", "10", "PX", "10"}, "-ERR syntax error\r\n"},
      {0, {"GETEX", "g", "PERSIST", "EX", "10"}, "-ERR syntax error\r\n"},
      {0, {"GETEX", "g", "NX"}, "-ERR syntax error\r\n"},
      // overwrites: SET drops the TTL, KEEPTTL keeps it, INCR/APPEND/SETRANGE keep it
      {0, {"SET", "k", "1", "EX", "100"}, "+OK\r\n"},
      {0, {"SET", "k", "2"}, "+OK\r\n"},
      {0, {"TTL", "k"}, ":-1\r\n"},
      {0, {"SET", "k", "1", "EX", "100"}, "+OK\r\n"},
      {0, {"SET", "k", "2", "KEEPTTL"}, "+OK\r\n"},
      {0, {"TTL", "k"}, ":100\r\n"},
      {0, {"INCR", "k"}, ":3\r\n"},
      {0, {"APPEND", "k", "0"}, ":2\r\n"},
      {0, {"SETRANGE", "k", "0", "9"}, ":2\r\n"},
      {0, {"TTL", "k"}, ":100\r\n"},
      {0, {"GETSET", "k", "x"}, "$2\r\n90\r\n"},
      {0, {"TTL", "k"}, ":-1\r\n"},
      {0, {"SET", "k", "1", "EX", "100"}, "+OK\r\n"},
      {0, {"RENAME", "k", "k2"}, "+OK\r\n"},
      {0, {"TTL", "k2"}, ":100\r\n"},
      {0, {"COPY", "k2", "k3"}, ":1\r\n"},
      {0, {"TTL", "k3"}, ":100\r\n"},
      {0, {"SET", "k", "1", "KEEPTTL", "EX", "10"}, "-ERR syntax error\r\n"},
      {0, {"SET", "k", "1", "EX", "10", "PX", "10"}, "-ERR syntax error\r\n"},
      // an expired key is gone for every command
      {0, {"SET", "x", "5", "PX", "100"}, "+OK\r\n"},
      {0, {"RPUSH", "xl", "a", "PX"}, ":2\r\n"},
      {0, {"PEXPIRE", "xl", "100"}, ":1\r\n"},
      {0, {"HSET", "xh", "f", "v"}, ":1\r\n"},
      {0, {"PEXPIRE", "xh", "100"}, ":1\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"INCR", "x"}, ":1\r\n"},
      {0, {"LLEN", "xl"}, ":0\r\n"},
      {0, {"HGET", "xh", "f"}, "$-1\r\n"},
      {0, {"DBSIZE"}, ":7\r\n"},
      // WATCH and expiry: a key already expired at WATCH time, deleted later: no change
      {0, {"SET", "w1", "v", "PX", "100"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"WATCH", "w1"}, "+OK\r\n"},
      {1, {"GET", "w1"}, "$-1\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      // a live watched key that expires before EXEC aborts it
      {0, {"SET", "w2", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"WATCH", "w2"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      // ... also when another session's lookup deleted it first
      {0, {"SET", "w3", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"WATCH", "w3"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {1, {"EXISTS", "w3"}, ":0\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      // a watched key that was already expired and still is: EXEC runs
      {0, {"SET", "w4", "v", "PX", "100"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"WATCH", "w4"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "w4"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*1\r\n$-1\r\n"},
      // ... but recreating it aborts
      {0, {"SET", "w5", "v", "PX", "100"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"WATCH", "w5"}, "+OK\r\n"},
      {1, {"SET", "w5", "new"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      // active expiry touches watchers like a lazy delete does
      {0, {"SET", "w6", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"SET", "w7", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"WATCH", "w6"}, "+OK\r\n"},
      {1, {"WATCH", "w7"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {-1, {"active-expire"}, ""},
      {0, {"DBSIZE"}, ":8\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      {1, {"MULTI"}, "+OK\r\n"},
      {1, {"EXEC"}, "*-1\r\n"},
      // SCAN TYPE looks the key up first: an expired key is deleted, then seen as "none"
      {0, {"FLUSHALL"}, "+OK\r\n"},
      {0, {"SET", "sc", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"SET", "live", "v"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"DBSIZE"}, ":2\r\n"},
      {0, {"SCAN", "0", "TYPE", "none", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*1\r\n$2\r\nsc\r\n"},
      {0, {"DBSIZE"}, ":1\r\n"},
      {0, {"SET", "sc2", "v", "PX", "100"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"SCAN", "0", "TYPE", "string", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n"},
      {0, {"DBSIZE"}, ":1\r\n"},
      // touchWatchedKey stops at a watcher whose key was expired at WATCH time and exists
      {0, {"FLUSHALL"}, "+OK\r\n"},
      {0, {"SET", "q", "v", "PX", "100"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"WATCH", "q"}, "+OK\r\n"},
      {0, {"SELECT", "1"}, "+OK\r\n"},
      {0, {"SET", "q", "alive"}, "+OK\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      {0, {"SWAPDB", "0", "1"}, "+OK\r\n"},
      {1, {"WATCH", "q"}, "+OK\r\n"},
      {2, {"SET", "q", "changed"}, "+OK\r\n"},
      {1, {"MULTI"}, "+OK\r\n"},
      {1, {"GET", "q"}, "+QUEUED\r\n"},
      {1, {"EXEC"}, "*1\r\n$7\r\nchanged\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"GET", "q"}, "+QUEUED\r\n"},
      {0, {"EXEC"}, "*-1\r\n"},
      // SWAPDB with expired keys on either side
      {0, {"FLUSHALL"}, "+OK\r\n"},
      {0, {"SELECT", "1"}, "+OK\r\n"},
      {0, {"SET", "r", "v", "PX", "100"}, "+OK\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"WATCH", "r"}, "+OK\r\n"},
      {1, {"SWAPDB", "0", "1"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
      {0, {"SET", "u", "v", "PX", "100"}, "+OK\r\n"},
      {-1, {"clock", "150"}, ""},
      {0, {"WATCH", "u"}, "+OK\r\n"},
      {1, {"SWAPDB", "0", "1"}, "+OK\r\n"},
      {0, {"MULTI"}, "+OK\r\n"},
      {0, {"EXEC"}, "*0\r\n"},
  });
}

TEST(ReferenceModelTest, Keys) {
  RunScript({
      // DEL / UNLINK / EXISTS / TYPE
      {0, {"MSET", "a", "1", "b", "2", "c", "3"}, "+OK\r\n"},
      {0, {"RPUSH", "l", "x"}, ":1\r\n"},
      {0, {"HSET", "h", "f", "v"}, ":1\r\n"},
      {0, {"SADD", "s", "m"}, ":1\r\n"},
      {0, {"ZADD", "z", "1", "m"}, ":1\r\n"},
      {0, {"EXISTS", "a", "a", "b", "nokey"}, ":3\r\n"},
      {0, {"DEL", "a", "a", "nokey"}, ":1\r\n"},
      {0, {"UNLINK", "b", "c"}, ":2\r\n"},
      {0, {"EXISTS", "a", "b", "c"}, ":0\r\n"},
      {0, {"TYPE", "l"}, "+list\r\n"},
      {0, {"TYPE", "h"}, "+hash\r\n"},
      {0, {"TYPE", "s"}, "+set\r\n"},
      {0, {"TYPE", "z"}, "+zset\r\n"},
      {0, {"TYPE", "nokey"}, "+none\r\n"},
      {0, {"DBSIZE"}, ":4\r\n"},
      // RENAME / RENAMENX
      {0, {"SET", "r1", "v1"}, "+OK\r\n"},
      {0, {"RENAME", "r1", "r1"}, "+OK\r\n"},
      {0, {"RENAMENX", "r1", "r1"}, ":0\r\n"},
      {0, {"RENAME", "nokey", "r2"}, "-ERR no such key\r\n"},
      {0, {"RENAMENX", "nokey", "r2"}, "-ERR no such key\r\n"},
      {0, {"RENAME", "r1", "l"}, "+OK\r\n"},
      {0, {"TYPE", "l"}, "+string\r\n"},
      {0, {"GET", "l"}, "$2\r\nv1\r\n"},
      {0, {"SET", "r1", "v2"}, "+OK\r\n"},
      {0, {"RENAMENX", "r1", "l"}, ":0\r\n"},
      {0, {"RENAMENX", "r1", "r3"}, ":1\r\n"},
      {0, {"GET", "r3"}, "$2\r\nv2\r\n"},
      {0, {"EXISTS", "r1"}, ":0\r\n"},
      // COPY
      {0, {"COPY", "r3", "r4"}, ":1\r\n"},
      {0, {"COPY", "r3", "r4"}, ":0\r\n"},
      {0, {"COPY", "r3", "r4", "REPLACE"}, ":1\r\n"},
      {0, {"COPY", "r3", "r3"}, "-ERR source and destination objects are the same\r\n"},
      {0, {"COPY", "r3", "r3", "DB", "0"}, "-ERR source and destination objects are the same\r\n"},
      {0, {"COPY", "r3", "r3", "DB", "1"}, ":1\r\n"},
      {0, {"COPY", "r3", "r3", "DB", "16"}, "-ERR DB index is out of range\r\n"},
      {0, {"COPY", "r3", "r3", "DB", "-1"}, "-ERR DB index is out of range\r\n"},
      {0, {"COPY", "r3", "r3", "DB", "x"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"COPY", "r3", "r3", "DB", "99999999999"}, "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"},
      {0, {"COPY", "r3", "r3", "DB"}, "-ERR syntax error\r\n"},
      {0, {"COPY", "r3", "r3", "FOO"}, "-ERR syntax error\r\n"},
      {0, {"COPY", "nokey", "r5"}, ":0\r\n"},
      {0, {"COPY", "h", "h2"}, ":1\r\n"},
      {0, {"HSET", "h2", "g", "w"}, ":1\r\n"},
      {0, {"HGETALL", "h"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {0, {"HGETALL", "h2"}, "*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n"},
      {0, {"SELECT", "1"}, "+OK\r\n"},
      {0, {"GET", "r3"}, "$2\r\nv2\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      {0, {"COPY", "r3", "r3", "DB", "1", "REPLACE"}, ":1\r\n"},
      // KEYS and glob patterns
      {0, {"FLUSHALL"}, "+OK\r\n"},
      {0, {"MSET", "a", "1", "ab", "1", "abc", "1", "b", "1", "a*", "1", "a?", "1", "[x", "1", "x]", "1", "b\\", "1", "^", "1", "-", "1", "a-c", "1", "A", "1", "", "1"}, "+OK\r\n"},
      {0, {"KEYS", "*"}, "*14\r\n$1\r\nb\r\n$2\r\nx]\r\n$3\r\nabc\r\n$2\r\nb\\\r\n$1\r\nA\r\n$0\r\n\r\n$2\r\nab\r\n$2\r\n[x\r\n$3\r\na-c\r\n$1\r\na\r\n$2\r\na?\r\n$1\r\n-\r\n$2\r\na*\r\n$1\r\n^\r\n"},
      {0, {"KEYS", "a*"}, "*6\r\n$3\r\nabc\r\n$2\r\nab\r\n$3\r\na-c\r\n$1\r\na\r\n$2\r\na?\r\n$2\r\na*\r\n"},
      {0, {"KEYS", "a?"}, "*3\r\n$2\r\nab\r\n$2\r\na?\r\n$2\r\na*\r\n"},
      {0, {"KEYS", "a\\*"}, "*1\r\n$2\r\na*\r\n"},
      {0, {"KEYS", "a\\?"}, "*1\r\n$2\r\na?\r\n"},
      {0, {"KEYS", "?"}, "*5\r\n$1\r\nb\r\n$1\r\nA\r\n$1\r\na\r\n$1\r\n-\r\n$1\r\n^\r\n"},
      {0, {"KEYS", "??"}, "*6\r\n$2\r\nx]\r\n$2\r\nb\\\r\n$2\r\nab\r\n$2\r\n[x\r\n$2\r\na?\r\n$2\r\na*\r\n"},
      {0, {"KEYS", "[ab]"}, "*2\r\n$1\r\nb\r\n$1\r\na\r\n"},
      {0, {"KEYS", "[^a]"}, "*4\r\n$1\r\nb\r\n$1\r\nA\r\n$1\r\n-\r\n$1\r\n^\r\n"},
      {0, {"KEYS", "[a-b]"}, "*2\r\n$1\r\nb\r\n$1\r\na\r\n"},
      {0, {"KEYS", "[b-a]"}, "*2\r\n$1\r\nb\r\n$1\r\na\r\n"},
      {0, {"KEYS", "[a-]"}, "*2\r\n$1\r\na\r\n$1\r\n^\r\n"},
      {0, {"KEYS", "[-a]"}, "*2\r\n$1\r\na\r\n$1\r\n-\r\n"},
      {0, {"KEYS", "[\\]]"}, "*0\r\n"},
      {0, {"KEYS", "[\\[]x"}, "*1\r\n$2\r\n[x\r\n"},
      {0, {"KEYS", "\\[x"}, "*1\r\n$2\r\n[x\r\n"},
      {0, {"KEYS", "x]"}, "*1\r\n$2\r\nx]\r\n"},
      {0, {"KEYS", "b\\"}, "*1\r\n$2\r\nb\\\r\n"},
      {0, {"KEYS", "b\\\\"}, "*1\r\n$2\r\nb\\\r\n"},
      {0, {"KEYS", "["}, "*0\r\n"},
      {0, {"KEYS", "[a"}, "*1\r\n$1\r\na\r\n"},
      {0, {"KEYS", "[ab"}, "*2\r\n$1\r\nb\r\n$1\r\na\r\n"},
      {0, {"KEYS", "[^"}, "*5\r\n$1\r\nb\r\n$1\r\nA\r\n$1\r\na\r\n$1\r\n-\r\n$1\r\n^\r\n"},
      {0, {"KEYS", "*["}, "*0\r\n"},
      {0, {"KEYS", "a**"}, "*6\r\n$3\r\nabc\r\n$2\r\nab\r\n$3\r\na-c\r\n$1\r\na\r\n$2\r\na?\r\n$2\r\na*\r\n"},
      {0, {"KEYS", "**c"}, "*2\r\n$3\r\nabc\r\n$3\r\na-c\r\n"},
      {0, {"KEYS", "*b*"}, "*4\r\n$1\r\nb\r\n$3\r\nabc\r\n$2\r\nb\\\r\n$2\r\nab\r\n"},
      {0, {"KEYS", "a*c*"}, "*2\r\n$3\r\nabc\r\n$3\r\na-c\r\n"},
      {0, {"KEYS", ""}, "*1\r\n$0\r\n\r\n"},
      {0, {"KEYS", "?*"}, "*13\r\n$1\r\nb\r\n$2\r\nx]\r\n$3\r\nabc\r\n$2\r\nb\\\r\n$1\r\nA\r\n$2\r\nab\r\n$2\r\n[x\r\n$3\r\na-c\r\n$1\r\na\r\n$2\r\na?\r\n$1\r\n-\r\n$2\r\na*\r\n$1\r\n^\r\n"},
      {0, {"KEYS", "[^ab]*"}, "*5\r\n$2\r\nx]\r\n$1\r\nA\r\n$2\r\n[x\r\n$1\r\n-\r\n$1\r\n^\r\n"},
      {0, {"KEYS", "\\"}, "*0\r\n"},
      {0, {"KEYS", "[]"}, "*0\r\n"},
      {0, {"KEYS", "[]]"}, "*0\r\n"},
      {0, {"KEYS", "A"}, "*1\r\n$1\r\nA\r\n"},
      // SCAN: argument checks, then every matching key at once
      {0, {"SCAN", "abc"}, "-ERR invalid cursor\r\n"},
      {0, {"SCAN", " 1"}, "-ERR invalid cursor\r\n"},
      {0, {"SCAN", "-1x"}, "-ERR invalid cursor\r\n"},
      {0, {"SCAN", "18446744073709551616"}, "-ERR invalid cursor\r\n"},
      {0, {"SCAN", "0", "COUNT", "0"}, "-ERR syntax error\r\n"},
      {0, {"SCAN", "0", "COUNT", "-1"}, "-ERR syntax error\r\n"},
      {0, {"SCAN", "0", "COUNT", "x"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SCAN", "0", "COUNT"}, "-ERR syntax error\r\n"},
      {0, {"SCAN", "0", "FOO"}, "-ERR syntax error\r\n"},
      {0, {"SCAN", "0", "MATCH"}, "-ERR syntax error\r\n"},
      {0, {"SCAN", "0", "TYPE"}, "-ERR syntax error\r\n"},
      {0, {"SCAN", "0", "COUNT", "1000", "MATCH", "a*"}, "*2\r\n$1\r\n0\r\n*6\r\n$3\r\nabc\r\n$3\r\na-c\r\n$1\r\na\r\n$2\r\na?\r\n$2\r\nab\r\n$2\r\na*\r\n"},
      {0, {"SCAN", "0", "MATCH", "[ab]", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n"},
      {0, {"RPUSH", "list", "x"}, ":1\r\n"},
      {0, {"SCAN", "0", "TYPE", "list", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlist\r\n"},
      {0, {"SCAN", "0", "TYPE", "LIST", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlist\r\n"},
      {0, {"SCAN", "0", "TYPE", "nothing", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
      {0, {"SCAN", "0", "TYPE", "string", "MATCH", "??", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*6\r\n$2\r\nx]\r\n$2\r\na?\r\n$2\r\nab\r\n$2\r\n[x\r\n$2\r\nb\\\r\n$2\r\na*\r\n"},
      {0, {"SCAN", "", "COUNT", "1000", "MATCH", "b*"}, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$2\r\nb\\\r\n"},
      {0, {"SCAN", "0", "COUNT", "1000", "COUNT", "1000", "MATCH", "x", "MATCH", "b"}, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n"},
      // DBSIZE / FLUSHDB / FLUSHALL / SWAPDB
      {0, {"DBSIZE"}, ":15\r\n"},
      {0, {"FLUSHDB", "FOO"}, "-ERR syntax error\r\n"},
      {0, {"FLUSHDB", "ASYNC", "x"}, "-ERR syntax error\r\n"},
      {0, {"FLUSHALL", "sync", "x"}, "-ERR syntax error\r\n"},
      {0, {"SELECT", "3"}, "+OK\r\n"},
      {0, {"SET", "in3", "v"}, "+OK\r\n"},
      {0, {"DBSIZE"}, ":1\r\n"},
      {0, {"SWAPDB", "3", "0"}, "+OK\r\n"},
      {0, {"DBSIZE"}, ":15\r\n"},
      {0, {"GET", "in3"}, "$-1\r\n"},
      {0, {"SELECT", "0"}, "+OK\r\n"},
      {0, {"GET", "in3"}, "$1\r\nv\r\n"},
      {0, {"DBSIZE"}, ":1\r\n"},
      {1, {"GET", "in3"}, "$1\r\nv\r\n"},
      {0, {"SWAPDB", "0", "16"}, "-ERR DB index is out of range\r\n"},
      {0, {"SWAPDB", "-1", "0"}, "-ERR DB index is out of range\r\n"},
      {0, {"SWAPDB", "x", "0"}, "-ERR invalid first DB index\r\n"},
      {0, {"SWAPDB", "0", "x"}, "-ERR invalid second DB index\r\n"},
      {0, {"SWAPDB", "99999999999", "0"}, "-ERR invalid first DB index\r\n"},
      {0, {"SWAPDB", "0", "99999999999"}, "-ERR invalid second DB index\r\n"},
      {0, {"SWAPDB", "0", "0"}, "+OK\r\n"},
      {0, {"FLUSHDB", "sync"}, "+OK\r\n"},
      {0, {"DBSIZE"}, ":0\r\n"},
      {0, {"SELECT", "3"}, "+OK\r\n"},
      {0, {"DBSIZE"}, ":15\r\n"},
      {0, {"FLUSHALL", "async"}, "+OK\r\n"},
      {0, {"DBSIZE"}, ":0\r\n"},
  });
}

TEST(ReferenceModelTest, Strings) {
  RunScript({
      // GET / SET and its options
      {0, {"GET", "s"}, "$-1\r\n"},
      {0, {"SET", "s", "v"}, "+OK\r\n"},
      {0, {"GET", "s"}, "$1\r\nv\r\n"},
      {0, {"SET", "s", "w", "NX"}, "$-1\r\n"},
      {0, {"SET", "s", "w", "XX"}, "+OK\r\n"},
      {0, {"SET", "new", "w", "XX"}, "$-1\r\n"},
      {0, {"SET", "new", "w", "NX"}, "+OK\r\n"},
      {0, {"SET", "s", "x", "GET"}, "$1\r\nw\r\n"},
      {0, {"SET", "s", "y", "NX", "GET"}, "$1\r\nx\r\n"},
      {0, {"SET", "nokey", "y", "XX", "GET"}, "$-1\r\n"},
      {0, {"GET", "nokey"}, "$-1\r\n"},
      {0, {"SET", "nokey2", "y", "GET"}, "$-1\r\n"},
      {0, {"SET", "s", "z", "get", "get"}, "$1\r\nx\r\n"},
      {0, {"SET", "s", "v", "NX", "XX"}, "-ERR syntax error\r\n"},
      {0, {"SET", "s", "v", "XX", "NX"}, "-ERR syntax error\r\n"},
      {0, {"SET", "s", "v", "KEEPTTL", "EX", "10"}, "-ERR syntax error\r\n"},
      {0, {"SET", "s", "v", "EX", "10", "EXAT", "10"}, "-ERR syntax error\r\n"},
      {0, {"SET", "s", "v", "PX"}, "-ERR syntax error\r\n"},
      {0, {"SET", "s", "v", "FOO"}, "-ERR syntax error\r\n"},
      {0, {"SET", "s", "v", "EX", "10", "EX", "10"}, "+OK\r\n"},
      {0, {"RPUSH", "list", "x"}, ":1\r\n"},
      {0, {"SET", "list", "v", "GET"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"GET", "list"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"SET", "list", "v"}, "+OK\r\n"},
      {0, {"GET", "list"}, "$1\r\nv\r\n"},
      {0, {"SETNX", "s", "v"}, ":0\r\n"},
      {0, {"SETNX", "s2", "v"}, ":1\r\n"},
      {0, {"SETEX", "s3", "100", "v"}, "+OK\r\n"},
      {0, {"PSETEX", "s4", "100000", "v"}, "+OK\r\n"},
      {0, {"TTL", "s3"}, ":100\r\n"},
      {0, {"TTL", "s4"}, ":100\r\n"},
      {0, {"SET", "", "empty"}, "+OK\r\n"},
      {0, {"GET", ""}, "$5\r\nempty\r\n"},
      {0, {"SET", "bin", "a\x00""b\r\n"s}, "+OK\r\n"},
      {0, {"GET", "bin"}, "$5\r\na\x00""b\r\n\r\n"s},
      {0, {"STRLEN", "bin"}, ":5\r\n"},
      // MGET / MSET / MSETNX
      {0, {"MGET", "s", "nokey", "list", "s2"}, "*4\r\n$1\r\nv\r\n$-1\r\n$1\r\nv\r\n$1\r\nv\r\n"},
      {0, {"RPUSH", "list2", "x"}, ":1\r\n"},
      {0, {"MGET", "list2"}, "*1\r\n$-1\r\n"},
      {0, {"MSET", "a", "1", "b", "2"}, "+OK\r\n"},
      {0, {"MSET", "a", "1", "b"}, "-ERR wrong number of arguments for 'mset' command\r\n"},
      {0, {"MSET", "a"}, "-ERR wrong number of arguments for 'mset' command\r\n"},
      {0, {"MSET", "a", "1", "a", "2"}, "+OK\r\n"},
      {0, {"GET", "a"}, "$1\r\n2\r\n"},
      {0, {"MSETNX", "a", "1", "c", "3"}, ":0\r\n"},
      {0, {"GET", "c"}, "$-1\r\n"},
      {0, {"MSETNX", "c", "3", "d", "4"}, ":1\r\n"},
      {0, {"MSETNX", "c", "3", "d"}, "-ERR wrong number of arguments for 'msetnx' command\r\n"},
      {0, {"MGET", "c", "d"}, "*2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
      // APPEND / STRLEN
      {0, {"APPEND", "ap", "hello"}, ":5\r\n"},
      {0, {"APPEND", "ap", " world"}, ":11\r\n"},
      {0, {"GET", "ap"}, "$11\r\nhello world\r\n"},
      {0, {"STRLEN", "ap"}, ":11\r\n"},
      {0, {"STRLEN", "nokey"}, ":0\r\n"},
      {0, {"APPEND", "empty", ""}, ":0\r\n"},
      {0, {"EXISTS", "empty"}, ":1\r\n"},
      {0, {"STRLEN", "empty"}, ":0\r\n"},
      {0, {"APPEND", "list2", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"STRLEN", "list2"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      // INCR / DECR / INCRBY / DECRBY
      {0, {"INCR", "i"}, ":1\r\n"},
      {0, {"INCRBY", "i", "10"}, ":11\r\n"},
      {0, {"DECR", "i"}, ":10\r\n"},
      {0, {"DECRBY", "i", "5"}, ":5\r\n"},
      {0, {"DECRBY", "i", "-5"}, ":10\r\n"},
      {0, {"INCRBY", "i", "-100"}, ":-90\r\n"},
      {0, {"GET", "i"}, "$3\r\n-90\r\n"},
      {0, {"SET", "i", "010"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", " 1"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", "+1"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", "-0"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", "0x10"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", "1.5"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", ""}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", "9223372036854775807"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR increment or decrement would overflow\r\n"},
      {0, {"INCRBY", "i", "0"}, ":9223372036854775807\r\n"},
      {0, {"SET", "i", "-9223372036854775808"}, "+OK\r\n"},
      {0, {"DECR", "i"}, "-ERR increment or decrement would overflow\r\n"},
      {0, {"DECRBY", "i", "-9223372036854775808"}, "-ERR decrement would overflow\r\n"},
      {0, {"DECRBY", "x", "-9223372036854775808"}, "-ERR decrement would overflow\r\n"},
      {0, {"DECRBY", "x", "9223372036854775807"}, ":-9223372036854775807\r\n"},
      {0, {"DECR", "x"}, ":-9223372036854775808\r\n"},
      {0, {"DECR", "x"}, "-ERR increment or decrement would overflow\r\n"},
      {0, {"INCRBY", "i", "abc"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"INCRBY", "i", "9223372036854775808"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"INCRBY", "i", "1.0"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"INCR", "list2"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"SET", "i", "12345678901234567890"}, "+OK\r\n"},
      {0, {"INCR", "i"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SET", "i", "-9223372036854775807"}, "+OK\r\n"},
      {0, {"DECR", "i"}, ":-9223372036854775808\r\n"},
      {0, {"GET", "i"}, "$20\r\n-9223372036854775808\r\n"},
      // INCRBYFLOAT (long double arithmetic, printed with %.17Lf and trailing zeros cut)
      {0, {"SET", "f", "0.1"}, "+OK\r\n"},
      {0, {"INCRBYFLOAT", "f", "0.1"}, "$3\r\n0.2\r\n"},
      {0, {"INCRBYFLOAT", "f", "0.1"}, "$3\r\n0.3\r\n"},
      {0, {"INCRBYFLOAT", "g", "1e3"}, "$4\r\n1000\r\n"},
      {0, {"INCRBYFLOAT", "g", "inf"}, "-ERR increment would produce NaN or Infinity\r\n"},
      {0, {"INCRBYFLOAT", "g", "-inf"}, "-ERR increment would produce NaN or Infinity\r\n"},
      {0, {"INCRBYFLOAT", "g", "nan"}, "-ERR value is not a valid float\r\n"},
      {0, {"INCRBYFLOAT", "g", " 1"}, "-ERR value is not a valid float\r\n"},
      {0, {"INCRBYFLOAT", "g", "1 "}, "-ERR value is not a valid float\r\n"},
      {0, {"INCRBYFLOAT", "g", "0x10"}, "$4\r\n1016\r\n"},
      {0, {"INCRBYFLOAT", "g", ""}, "-ERR value is not a valid float\r\n"},
      {0, {"INCRBYFLOAT", "g", "-1016"}, "$1\r\n0\r\n"},
      {0, {"INCRBYFLOAT", "g", "1.5e-7"}, "$10\r\n0.00000015\r\n"},
      {0, {"INCRBYFLOAT", "g", "+2"}, "$10\r\n2.00000015\r\n"},
      {0, {"INCRBYFLOAT", "g", ".5"}, "$10\r\n2.50000015\r\n"},
      {0, {"INCRBYFLOAT", "g", "5."}, "$10\r\n7.50000015\r\n"},
      {0, {"INCRBYFLOAT", "g", "1e-400"}, "$10\r\n7.50000015\r\n"},
      {0, {"INCRBYFLOAT", "g", "1e5000"}, "-ERR value is not a valid float\r\n"},
      {0, {"INCRBYFLOAT", "g", "abc"}, "-ERR value is not a valid float\r\n"},
      {0, {"INCRBYFLOAT", "j", "-0.0"}, "$1\r\n0\r\n"},
      {0, {"INCRBYFLOAT", "k", "3.0"}, "$1\r\n3\r\n"},
      {0, {"INCRBYFLOAT", "k", "1.2345678901234567890123"}, "$19\r\n4.23456789012345679\r\n"},
      {0, {"INCRBYFLOAT", "h", "1e308"}, "$308\r\n99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048\r\n"},
      {0, {"INCRBYFLOAT", "h", "1e308"}, "$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n"},
      {0, {"SET", "m", "1e10"}, "+OK\r\n"},
      {0, {"INCRBYFLOAT", "m", "1"}, "$11\r\n10000000001\r\n"},
      {0, {"SET", "m", "abc"}, "+OK\r\n"},
      {0, {"INCRBYFLOAT", "m", "1"}, "-ERR value is not a valid float\r\n"},
      {0, {"SET", "m", " 1"}, "+OK\r\n"},
      {0, {"INCRBYFLOAT", "m", "1"}, "-ERR value is not a valid float\r\n"},
      {0, {"SET", "m", "inf"}, "+OK\r\n"},
      {0, {"INCRBYFLOAT", "m", "1"}, "-ERR increment would produce NaN or Infinity\r\n"},
      {0, {"SET", "m", "7"}, "+OK\r\n"},
      {0, {"INCRBYFLOAT", "m", "0"}, "$1\r\n7\r\n"},
      {0, {"INCRBYFLOAT", "list2", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"INCRBYFLOAT", "m", "1", "2"}, "-ERR wrong number of arguments for 'incrbyfloat' command\r\n"},
      // GETRANGE
      {0, {"SET", "r", "Hello World"}, "+OK\r\n"},
      {0, {"GETRANGE", "r", "0", "4"}, "$5\r\nHello\r\n"},
      {0, {"GETRANGE", "r", "-5", "-1"}, "$5\r\nWorld\r\n"},
      {0, {"GETRANGE", "r", "-1", "-5"}, "$0\r\n\r\n"},
      {0, {"GETRANGE", "r", "5", "2"}, "$0\r\n\r\n"},
      {0, {"GETRANGE", "r", "0", "100"}, "$11\r\nHello World\r\n"},
      {0, {"GETRANGE", "r", "-100", "2"}, "$3\r\nHel\r\n"},
      {0, {"GETRANGE", "r", "-100", "-100"}, "$1\r\nH\r\n"},
      {0, {"GETRANGE", "r", "100", "200"}, "$0\r\n\r\n"},
      {0, {"GETRANGE", "r", "0", "-100"}, "$1\r\nH\r\n"},
      {0, {"GETRANGE", "r", "3", "3"}, "$1\r\nl\r\n"},
      {0, {"GETRANGE", "r", "0", "9223372036854775807"}, "$11\r\nHello World\r\n"},
      {0, {"GETRANGE", "r", "-9223372036854775808", "0"}, "$1\r\nH\r\n"},
      {0, {"GETRANGE", "nokey", "0", "-1"}, "$0\r\n\r\n"},
      {0, {"GETRANGE", "r", "a", "1"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"GETRANGE", "r", "0", "b"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"GETRANGE", "list2", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"GETRANGE", "empty", "0", "-1"}, "$0\r\n\r\n"},
      {0, {"SET", "num", "12345"}, "+OK\r\n"},
      {0, {"GETRANGE", "num", "1", "2"}, "$2\r\n23\r\n"},
      // SETRANGE (zero fill; limited by proto-max-bulk-len)
      {0, {"SETRANGE", "sr", "5", "abc"}, ":8\r\n"},
      {0, {"GET", "sr"}, "$8\r\n\x00""\x00""\x00""\x00""\x00""abc\r\n"s},
      {0, {"SETRANGE", "sr", "0", "XY"}, ":8\r\n"},
      {0, {"GET", "sr"}, "$8\r\nXY\x00""\x00""\x00""abc\r\n"s},
      {0, {"SETRANGE", "sr", "20", ""}, ":8\r\n"},
      {0, {"GET", "sr"}, "$8\r\nXY\x00""\x00""\x00""abc\r\n"s},
      {0, {"SETRANGE", "nokey3", "10", ""}, ":0\r\n"},
      {0, {"EXISTS", "nokey3"}, ":0\r\n"},
      {0, {"SETRANGE", "sr", "-1", "x"}, "-ERR offset is out of range\r\n"},
      {0, {"SETRANGE", "sr", "x", "x"}, "-ERR value is not an integer or out of range\r\n"},
      {0, {"SETRANGE", "sr", "1048575", "x"}, ":1048576\r\n"},
      {0, {"STRLEN", "sr"}, ":1048576\r\n"},
      {0, {"SETRANGE", "sr", "1048576", "x"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
      {0, {"SETRANGE", "sr", "1048575", "xy"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
      {0, {"SETRANGE", "nokey4", "1048576", "x"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
      {0, {"SETRANGE", "nokey4", "1048576", ""}, ":0\r\n"},
      {0, {"SETRANGE", "nokey4", "9223372036854775807", "x"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
      {0, {"SETRANGE", "list2", "0", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"SETRANGE", "list2", "0", ""}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"DEL", "sr"}, ":1\r\n"},
      {0, {"SET", "big", "x"}, "+OK\r\n"},
      {0, {"SETRANGE", "big", "1048574", "y"}, ":1048575\r\n"},
      {0, {"APPEND", "big", "z"}, ":1048576\r\n"},
      {0, {"APPEND", "big", ""}, ":1048576\r\n"},
      {0, {"STRLEN", "big"}, ":1048576\r\n"},
      {0, {"DEL", "big"}, ":1\r\n"},
      // GETDEL / GETSET / GETEX
      {0, {"SET", "gd", "v"}, "+OK\r\n"},
      {0, {"GETDEL", "gd"}, "$1\r\nv\r\n"},
      {0, {"GETDEL", "gd"}, "$-1\r\n"},
      {0, {"GETDEL", "list2"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"GETSET", "gs", "v1"}, "$-1\r\n"},
      {0, {"GETSET", "gs", "v2"}, "$2\r\nv1\r\n"},
      {0, {"GETSET", "list2", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"GETEX", "gs"}, "$2\r\nv2\r\n"},
      {0, {"GETEX", "nokey"}, "$-1\r\n"},
      {0, {"GETEX", "list2"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {0, {"GETEX", "gs", "FOO"}, "-ERR syntax error\r\n"},
      {0, {"GETEX", "gs", "EX"}, "-ERR syntax error\r\n"},
      {0, {"GETEX", "gs", "KEEPTTL"}, "-ERR syntax error\r\n"},
      {0, {"GETEX", "gs", "GET"}, "-ERR syntax error\r\n"},
      // RESP3
      {0, {"HELLO", "3"}, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"},
      {0, {"GET", "nokey"}, "_\r\n"},
      {0, {"SET", "s", "v", "GET"}, "$1\r\nv\r\n"},
      {0, {"SET", "nokey5", "v", "NX", "GET"}, "_\r\n"},
      {0, {"SET", "s", "v", "NX"}, "_\r\n"},
      {0, {"MGET", "s", "nokey"}, "*2\r\n$1\r\nv\r\n_\r\n"},
      {0, {"INCRBYFLOAT", "f", "1"}, "$3\r\n1.3\r\n"},
      {0, {"GETRANGE", "nokey", "0", "1"}, "$0\r\n\r\n"},
      {0, {"GETDEL", "nokey"}, "_\r\n"},
      {0, {"GETEX", "nokey", "PERSIST"}, "_\r\n"},
      {0, {"GETSET", "nokey6", "v"}, "_\r\n"},
  });
}

}  // namespace
}  // namespace respfuzz::programs
