// hiredis_client PORT: hiredis's blocking client (Debian's 0.14.1, or 1.2.0
// when built with RESPFUZZ_HIREDIS12) runs ordinary commands against a server
// on 127.0.0.1:PORT and prints one line per reply in a form that does not
// depend on which server answered (no client ids, versions or run ids). The
// ctest real-clients runs it against redis-server 7.0.15 and against
// `respfuzz serve` and requires the two transcripts to be equal.
#ifdef RESPFUZZ_HIREDIS12
#include "respfuzz_hiredis12.h"
using namespace hiredis12;
#else
#include <hiredis/hiredis.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// One reply as text: TYPE:value, aggregates as TYPE[n](...).
std::string Show(const redisReply* r) {
  if (r == nullptr) return "(no reply)";
  auto str = [&] { return std::string(r->str, r->len); };
  auto agg = [&](const char* name) {
    std::string s = std::string(name) + "[" + std::to_string(r->elements) + "](";
    for (size_t i = 0; i < r->elements; ++i) s += (i ? " " : "") + Show(r->element[i]);
    return s + ")";
  };
  switch (r->type) {
    case REDIS_REPLY_STRING: {
      std::string v = str();
      std::string out;
      for (unsigned char c : v) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        }
      }
      return v.size() > 64 ? "string(" + std::to_string(v.size()) + " bytes)" : "string:" + out;
    }
    case REDIS_REPLY_ARRAY:
      return agg("array");
    case REDIS_REPLY_INTEGER:
      return "integer:" + std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "nil";
    case REDIS_REPLY_STATUS:
      return "status:" + str();
    case REDIS_REPLY_ERROR:
      return "error:" + str();
#ifdef RESPFUZZ_HIREDIS12
    case REDIS_REPLY_DOUBLE:
      return "double:" + str();
    case REDIS_REPLY_BOOL:
      return std::string("bool:") + (r->integer ? "true" : "false");
    case REDIS_REPLY_MAP:
      return agg("map");
    case REDIS_REPLY_SET:
      return agg("set");
    case REDIS_REPLY_PUSH:
      return agg("push");
    case REDIS_REPLY_ATTR:
      return agg("attr");
    case REDIS_REPLY_BIGNUM:
      return "bignum:" + str();
    case REDIS_REPLY_VERB:
      return "verbatim:" + std::string(r->vtype) + ":" + str();
#endif
    default:
      return "type" + std::to_string(r->type);
  }
}

int Fail(const char* what, redisContext* c) {
  std::fprintf(stderr, "hiredis_client: %s: %s\n", what, c ? c->errstr : "no context");
  return 1;
}

// Runs argv and prints its reply on a line "> CMD...\n<reply>".
bool Run(redisContext* c, std::vector<std::string> argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  std::string line = ">";
  for (const std::string& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
    line += " " + (a.size() > 32 ? "<" + std::to_string(a.size()) + " bytes>" : a);
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  if (r == nullptr) return false;
  std::printf("%s\n%s\n", line.c_str(), Show(r).c_str());
  freeReplyObject(r);
  return true;
}

#ifdef RESPFUZZ_HIREDIS12
// Pushes (invalidations) arrive through this callback in hiredis 1.x.
void OnPush(void*, void* reply) {
  std::printf("push %s\n", Show(static_cast<redisReply*>(reply)).c_str());
  freeReplyObject(reply);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::atoi(argv[1]) <= 0 || std::atoi(argv[1]) > 65535) {
    std::fprintf(stderr, "usage: hiredis_client PORT (a server on 127.0.0.1)\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  struct timeval tv = {5, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr || c->err) return Fail("connect", c);
  if (redisSetTimeout(c, tv) != REDIS_OK) return Fail("timeout", c);
  bool ok = true;
  const std::string big(100 * 1024, 'v');
  const std::string binary("a\0b\r\nc", 6);
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"FLUSHALL"},
           {"PING"},
           {"SET", "greeting", "hello"},
           {"GET", "greeting"},
           {"GET", "missing"},
           {"SET", "bin", binary},
           {"GET", "bin"},
           {"SET", "big", big},
           {"STRLEN", "big"},
           {"GET", "big"},
           {"INCR", "n"},
           {"INCRBY", "n", "41"},
           {"INCR", "greeting"},
           {"RPUSH", "list", "a", "b", "c"},
           {"LRANGE", "list", "0", "-1"},
           {"HSET", "h", "f1", "v1", "f2", "v2"},
           {"HMGET", "h", "f1", "nope", "f2"},
           {"HSET", "h1", "only", "one"},
           {"SADD", "s", "x", "y"},
           {"SISMEMBER", "s", "y"},
           {"ZADD", "z", "1.5", "m1", "2", "m2"},
           {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
           {"ZSCORE", "z", "m1"},
           {"EXPIRE", "greeting", "100"},
           {"TTL", "greeting"},
           {"MULTI"},
           {"INCR", "n"},
           {"GET", "n"},
           {"EXEC"},
           {"DEL", "greeting", "missing", "list"},
           {"NOSUCHCOMMAND", "x"},
       }) {
    ok = ok && Run(c, cmd);
  }
  // Pipelined: five commands written at once, then five replies read.
  if (ok) {
    for (int i = 0; i < 5; ++i) redisAppendCommand(c, "RPUSH pipe %d", i);
    for (int i = 0; i < 5; ++i) {
      void* r = nullptr;
      if (redisGetReply(c, &r) != REDIS_OK) {
        ok = false;
        break;
      }
      std::printf("pipelined %d\n%s\n", i, Show(static_cast<redisReply*>(r)).c_str());
      freeReplyObject(r);
    }
  }
#ifdef RESPFUZZ_HIREDIS12
  // RESP3: the types hiredis 1.2 reads, and an invalidation push.
  if (ok) {
    redisSetPushCallback(c, OnPush);
    auto* r = static_cast<redisReply*>(redisCommand(c, "HELLO 3"));
    if (r == nullptr) {
      ok = false;
    } else {
      std::printf("> HELLO 3\n%s %zu elements\n",
                  r->type == REDIS_REPLY_MAP ? "map" : Show(r).c_str(), r->elements);
      freeReplyObject(r);
    }
  }
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"HGETALL", "h1"},
           {"ZSCORE", "z", "m1"},
           {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
           {"SMISMEMBER", "s", "x", "q"},
           {"GET", "missing"},
           {"CLIENT", "TRACKING", "on"},
           {"GET", "bin"},
           {"SET", "bin", "changed"},
           {"GET", "bin"},
       }) {
    if (!ok) break;
    // A map of one field: the order of a hash's fields is the server's
    // (redis-server keeps a small hash in insertion order, the engine does
    // not), and the engine's oracles compare it order-blind.
    ok = Run(c, cmd);
  }
#endif
  if (!ok) return Fail("command", c);
  redisFree(c);
  return 0;
}
