#include "harnesses/command_handler/program.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "harnesses/common/program_kit.h"
#include "harnesses/models/reference_state.h"
#include "src/resp/request.h"

namespace respfuzz::harnesses {

namespace {

constexpr std::array<std::string_view, 223> kNames = {
    // connection and transactions
    "PING",
    "ECHO",
    "HELLO",
    "CLIENT",
    "SELECT",
    "MULTI",
    "EXEC",
    "DISCARD",
    "WATCH",
    "UNWATCH",
    // strings
    "GET",
    "SET",
    "SETNX",
    "SETEX",
    "PSETEX",
    "MGET",
    "MSET",
    "MSETNX",
    "APPEND",
    "STRLEN",
    "INCR",
    "INCRBY",
    "DECR",
    "DECRBY",
    "INCRBYFLOAT",
    "GETRANGE",
    "SETRANGE",
    "GETDEL",
    "GETEX",
    "GETSET",
    // keys
    "DEL",
    "UNLINK",
    "EXISTS",
    "TYPE",
    "EXPIRE",
    "PEXPIRE",
    "EXPIREAT",
    "PEXPIREAT",
    "TTL",
    "PTTL",
    "PERSIST",
    "RENAME",
    "RENAMENX",
    "COPY",
    "KEYS",
    "SCAN",
    "DBSIZE",
    "FLUSHDB",
    "FLUSHALL",
    "SWAPDB",
    // lists
    "LPUSH",
    "RPUSH",
    "LPUSHX",
    "RPUSHX",
    "LPOP",
    "RPOP",
    "LLEN",
    "LRANGE",
    "LINDEX",
    "LSET",
    "LREM",
    "LTRIM",
    "LINSERT",
    "LPOS",
    "LMOVE",
    "RPOPLPUSH",
    // hashes
    "HSET",
    "HSETNX",
    "HGET",
    "HMGET",
    "HMSET",
    "HDEL",
    "HEXISTS",
    "HLEN",
    "HKEYS",
    "HVALS",
    "HGETALL",
    "HINCRBY",
    "HINCRBYFLOAT",
    "HSTRLEN",
    // sets
    "SADD",
    "SREM",
    "SISMEMBER",
    "SMISMEMBER",
    "SMEMBERS",
    "SCARD",
    "SMOVE",
    "SINTER",
    "SUNION",
    "SDIFF",
    "SINTERSTORE",
    "SUNIONSTORE",
    "SDIFFSTORE",
    "SINTERCARD",
    // sorted sets
    "ZADD",
    "ZREM",
    "ZSCORE",
    "ZMSCORE",
    "ZINCRBY",
    "ZCARD",
    "ZCOUNT",
    "ZRANGE",
    "ZRANGEBYSCORE",
    "ZREVRANGE",
    "ZRANK",
    "ZREVRANK",
    "ZRANGEBYLEX",
    "ZLEXCOUNT",
    "ZREMRANGEBYRANK",
    "ZREMRANGEBYSCORE",
    "ZPOPMIN",
    "ZPOPMAX",
    // commands once outside the engine's set (SPOP, RANDOMKEY and ZUNIONSTORE
    // are in it now; SUBSCRIBE and RESET too), for the unknown-command path
    "SPOP",
    "OBJECT",
    "RANDOMKEY",
    "ZUNIONSTORE",
    "BLPOP",
    "SUBSCRIBE",
    "QUIT",
    "RESET",
    // server, bits and keys
    "TIME",
    "SETBIT",
    "GETBIT",
    "BITCOUNT",
    "BITPOS",
    "BITOP",
    "BITFIELD",
    "BITFIELD_RO",
    "TOUCH",
    "EXPIRETIME",
    "PEXPIRETIME",
    "LCS",
    // sorted-set algebra (ZUNIONSTORE is above)
    "ZINTERSTORE",
    "ZDIFFSTORE",
    "ZUNION",
    "ZINTER",
    "ZDIFF",
    "ZINTERCARD",
    // ranges, random choices (SPOP and RANDOMKEY are above), MOVE, scans
    "ZRANGESTORE",
    "ZREVRANGEBYSCORE",
    "ZREVRANGEBYLEX",
    "ZREMRANGEBYLEX",
    "SRANDMEMBER",
    "ZRANDMEMBER",
    "HRANDFIELD",
    "MOVE",
    "SSCAN",
    "HSCAN",
    "ZSCAN",
    // pub/sub (SUBSCRIBE above, the other subscription commands last)
    "PUBLISH",
    "PUBSUB",
    "SPUBLISH",
    // blocking commands and their non-blocking relatives
    "BRPOP",
    "BLMOVE",
    "BRPOPLPUSH",
    "BLMPOP",
    "LMPOP",
    "BZPOPMIN",
    "BZPOPMAX",
    "BZMPOP",
    "ZMPOP",
    // introspection (OBJECT is above)
    "CONFIG",
    // memory accounting and eviction (CONFIG SET maxmemory, maxmemory-policy)
    "MEMORY",
    // streams (compared once kStreamsCompared is on: checks.h)
    "XADD",
    "XLEN",
    "XRANGE",
    "XREVRANGE",
    "XDEL",
    "XTRIM",
    "XSETID",
    "XREAD",
    "XGROUP",
    "XREADGROUP",
    "XACK",
    "XPENDING",
    "XCLAIM",
    "XAUTOCLAIM",
    "XINFO",
    // introspection: COMMAND (CLIENT is above)
    "COMMAND",
    // SORT (its patterns w_*, h_*->f1 and # are in the pools, the keys they
    // name for the element 1, w_1 and h_1, in the dictionary)
    "SORT",
    "SORT_RO",
    // the other subscription commands (SUBSCRIBE is above): pub/sub and
    // keyspace notifications in the command model
    "UNSUBSCRIBE",
    "PSUBSCRIBE",
    "PUNSUBSCRIBE",
    "SSUBSCRIBE",
    "SUNSUBSCRIBE",
    // scripting (reference_scripting.cc): the script bodies and their shas
    // come from kScripts (ScriptArg)
    "EVAL",
    "EVALSHA",
    "EVAL_RO",
    "EVALSHA_RO",
    "SCRIPT",
    // ACL (reference_acl.cc; compared once kAclCompared is on: checks.h):
    // their arguments come from kAclWords (ArgKind), as HELLO's after AUTH
    "ACL",
    "AUTH",
    // functions (reference_functions.cc): FUNCTION's arguments and FCALL's
    // and FCALL_RO's function name come from kFunctionWords (ArgKind 4)
    "FUNCTION",
    "FCALL",
    "FCALL_RO",
    // HyperLogLog (reference_hll.cc; PFDEBUG is name 217, PFSELFTEST engine-only):
    // the value is a string, so GET, SETRANGE and APPEND reach its bytes
    "PFADD",
    "PFCOUNT",
    "PFMERGE",
    // GEO (reference_geo.cc): coordinates, radii, units and option words
    // come as literals (corpus/command_handler/geo*.txt, the dictionary)
    "GEOADD",
    "GEODIST",
    "GEOHASH",
    "GEOPOS",
    "GEORADIUS",
    "GEORADIUS_RO",
    "GEORADIUSBYMEMBER",
    "GEORADIUSBYMEMBER_RO",
    "GEOSEARCH",
    "GEOSEARCHSTORE",
    // the slow log (reference_slowlog.cc): its subcommands and
    // slowlog-log-slower-than / slowlog-max-len in the dictionary
    "SLOWLOG",
    // a standalone master's cluster and replication commands
    // (cmd_standalone.cc, reference_standalone.cc), and GETRANGE's old name
    "CLUSTER",
    "ASKING",
    "READONLY",
    "READWRITE",
    "ROLE",
    "SUBSTR",
    // the latency monitor (reference_latency.cc): its subcommands and
    // latency-monitor-threshold in the dictionary
    "LATENCY",
    // HyperLogLog's PFDEBUG (reference_hll.cc): GETREG, DECODE, ENCODING,
    // TODENSE in the dictionary
    "PFDEBUG",
    // MONITOR (reference_monitor.cc): the lines every monitor gets
    "MONITOR",
    // WAIT (blocks on no key: replicas never acknowledge here) and
    // FAILOVER's option parsing (cmd_standalone.cc, reference_standalone.cc)
    "WAIT",
    "FAILOVER",
    // MODULE (none loaded; LOAD, LOADEX, UNLOAD protected) and DEBUG
    // (protected): as a default server answers them
    "MODULE",
    "DEBUG",
};

constexpr std::array<std::array<std::string_view, kPoolSize>, kPoolCount> kPools = {{
    // 0: keys (few, so ops collide), then stream IDs and a group and a
    // consumer name (the stream words are in the dictionary)
    {"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "0-1", "1-0", "$", ">", "(1-0",
     "18446744073709551615-18446744073709551615", "g1", "c1"},
    // 1: fields and members; slot 9 is longer than zset-max-listpack-value (64
    // bytes), so one ZADD turns a sorted set into a skiplist
    // ("#" is SORT's GET pattern for the element itself)
    {"f1", "f2", "f3", "f4", "m1", "m2", "m3", "m4", "#",
     "long-member-of-65-bytes-so-a-sorted-set-becomes-a-skiplist-abcdef", "a", "b", "c", "x", "y",
     "z"},
    // 2: values; slot 15 is the stream trimming word "~" (it was "f1", which
    // pool 1 already holds: the encoder picks the first pool with a value)
    {"v1", "v2", "v3", "", "0", "1", "-1", "10", "abc", "hello world", "0.5", "3.0e2", "x\r\ny",
     "\xff\xfe", "k1", "~"},
    // 3: integers and their edges
    {"0", "1", "-1", "2", "3", "5", "10", "100", "-2", "9223372036854775807",
     "-9223372036854775808", "9223372036854775808", "65535", "65536", "1000", "2147483648"},
    // 4: floats and malformed numbers; DBL_MAX, so a sum of two overflows a
    // double (ZINCRBY, ZADD INCR) but not a long double (INCRBYFLOAT)
    // Slot 6 is the stream trimming word "=" (it was "", which pool 2 holds).
    {"1e3", "inf", "-inf", "+inf", "nan", "0x10", "=", " 1", "+1", "-0", "1.5", "0.1",
     "1.7976931348623157e308", "1e400", "01", "1 "},
    // 5: option words
    {"EX", "PX", "EXAT", "PXAT", "NX", "XX", "KEEPTTL", "GET", "GT", "LT", "CH", "INCR", "PERSIST",
     "REPLACE", "DB", "TYPE"},
    // 6: more option words
    {"WITHSCORES", "LIMIT", "BYSCORE", "BYLEX", "REV", "MATCH", "COUNT", "LEFT", "RIGHT", "BEFORE",
     "AFTER", "RANK", "MAXLEN", "ASYNC", "SYNC", "ID"},
    // 7: patterns (glob, and SORT's BY / GET: w_*, h_*->f1) and ranges
    {"*", "k*", "?1", "[k]*", "h_*->f1", "-", "+", "[m1", "(m2", "(1", "(inf", "[a", "(a", "k\\",
     "[z-a]*", "w_*"},
}};

// Script bodies (at most kMaxLiteralLen bytes each): the first argument of
// EVAL and EVAL_RO, and SCRIPT LOAD's body, picked by a pool token; their
// shas for EVALSHA, EVALSHA_RO and SCRIPT's other subcommands. Templates
// with the op's keys (KEYS[1]) and values (ARGV[1]) from the pools: each
// Lua type returned, redis.call / pcall of reads, writes, wrong types and
// refused commands, errors raised and returned, shebang flags, RESP3, a
// write into a read-only library table.
constexpr std::string_view kScripts[] = {
    "return redis.call('get',KEYS[1])",
    "return redis.call('set',KEYS[1],ARGV[1])",
    "return redis.pcall('incr',KEYS[1])",
    "return redis.call('incrby',KEYS[1],ARGV[1])",
    "return redis.call(ARGV[1],KEYS[1])",
    "return redis.call(ARGV[1],KEYS[1],ARGV[2])",
    "return redis.pcall(ARGV[1],KEYS[1],ARGV[2])",
    "return {1,2.9,-3.5,'s',true,false,{ok='st'},{err='E x'}}",
    "return 3.99",
    "return true",
    "return false",
    "return nil",
    "return {ok='fine'}",
    "return {err='My error'}",
    "return redis.error_reply(ARGV[1])",
    "return redis.status_reply(ARGV[1])",
    "error('boom')",
    "error({err='CUSTOM raised'})",
    "return redis.call('nosuchcommand')",
    "return redis.call('get')",
    "return redis.call('lpush',KEYS[1],ARGV[1])",
    "return redis.pcall('lpush',KEYS[1],ARGV[1])",
    "#!lua flags=no-writes\nreturn redis.call('get',KEYS[1])",
    "#!lua flags=no-writes\nreturn redis.call('set',KEYS[1],ARGV[1])",
    "#!lua\nreturn redis.call('set',KEYS[1],ARGV[1])",
    "#!lua flags=allow-oom\nreturn redis.call('del',KEYS[1])",
    "#!lua flags=bogus\nreturn 1",
    "#!python\nreturn 1",
    "#!lua name=x\nreturn 1",
    "return redis.sha1hex(ARGV[1])",
    "redis.setresp(3) return redis.call(ARGV[1],KEYS[1])",
    "redis.setresp(3) return redis.call('zscore',KEYS[1],ARGV[1])",
    "redis.setresp(3) return {true,false,{double=1.5}}",
    "return {double=tonumber(ARGV[1])}",
    "return {map={a=1,b='x'}}",
    "return {set={m1=true}}",
    // a constant: redis-server 7.0.15 writes a big_number as it is, so one
    // with other bytes than digits is invalid RESP3 (the engine's too)
    "return {big_number='-12345678901234567890'}",
    "return redis.call('select',ARGV[1])",
    "redis.call('select','1') return redis.call('set',KEYS[1],ARGV[1])",
    "return tonumber(ARGV[1])",
    "return redis.call('incrbyfloat',KEYS[1],ARGV[1])",
    "return redis.call('set',KEYS[1],tonumber(ARGV[1]))",
    "return x",
    "x = 1",
    "return redis.call('exists',KEYS[1],KEYS[2])",
    "return {KEYS[1],ARGV[1],#KEYS,#ARGV}",
    "return redis.call('rpush',KEYS[1],ARGV[1],ARGV[2])",
    "return redis.call('lrange',KEYS[1],0,-1)",
    "return redis.call('hset',KEYS[1],ARGV[1],ARGV[2])",
    "return redis.call('hget',KEYS[1],ARGV[1])",
    "return redis.call('zadd',KEYS[1],ARGV[1],ARGV[2])",
    "return redis.call('zrange',KEYS[1],0,-1,'withscores')",
    "return redis.call('del',KEYS[1])",
    "return redis.call('expire',KEYS[1],ARGV[1])",
    "return redis.call('ttl',KEYS[1])",
    "return redis.call('publish',ARGV[1],ARGV[2])",
    "return redis.call('multi')",
    "return redis.call('eval','return 1','0')",
    "return redis.pcall('blpop',KEYS[1],0)",
    "return redis.call('blmpop',0,1,KEYS[1],'left')",
    "return redis.call('mget',KEYS[1],KEYS[2])",
    "local t={} for i=1,#ARGV do t[i]=redis.call('incr',ARGV[i]) end return t",
    "return math.random(100)",
    "return type(redis.call('time'))",
    "local ok,e = pcall(redis.call,'get') return e",
    "return pcall(error,'x')",
    "return cjson.encode({1,'a'})",
    "return bit.band(tonumber(ARGV[1]) or 0, 6)",
    "return redis.call('getset',KEYS[1],ARGV[1])",
    "return redis.setresp(4)",
    "return redis.call('sort',KEYS[1])",
    "return redis.call('type',KEYS[1])",
    "return string.rep(ARGV[1], 3)",
    "return redis.call('set',KEYS[1],ARGV[1],'get')",
    "redis.setresp(3) return redis.call('mget',KEYS[1],KEYS[2])",
    "redis.setresp(3) return redis.call('zrange',KEYS[1],0,-1,'withscores')",
    "return redis.pcall('set',KEYS[1])",
    "return redis.call('client','id')",
    "return redis.call('lpop',KEYS[1],ARGV[1])",
    "redis.setresp(3) return redis.pcall('type',KEYS[1])",
    "return redis.log(redis.LOG_WARNING,'x')",
    "return redis.call('ping')",
    // a write into a library table: the sandbox refuses it
    "string.x = 1",
};
constexpr size_t kScriptCount = sizeof(kScripts) / sizeof(kScripts[0]);

// ACL's and AUTH's arguments (and HELLO's after AUTH), picked by a pool
// token: ACL's subcommands, user names, passwords and their SHA-256
// (p1's), rules of ACL SETUSER, categories, and commands, keys and channels
// for ACL DRYRUN. Few users and passwords, so ops meet.
constexpr std::string_view kAclWords[] = {
    // subcommands
    "SETUSER",
    "GETUSER",
    "DELUSER",
    "USERS",
    "LIST",
    "WHOAMI",
    "CAT",
    "DRYRUN",
    "GENPASS",
    // users and passwords
    "default",
    "alice",
    "bob",
    "p1",
    "p2",
    "",
    // rules
    "on",
    "off",
    "nopass",
    "resetpass",
    ">p1",
    ">p2",
    "<p1",
    "<p2",
    "#f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a",
    "!f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a",
    "#abc",
    "~k1",
    "~k*",
    "%R~k2",
    "%W~k3",
    "%RW~k4",
    "%X~k1",
    "allkeys",
    "resetkeys",
    "~*",
    "&ch1",
    "&ch*",
    "allchannels",
    "resetchannels",
    "&*",
    "+@all",
    "-@all",
    "allcommands",
    "nocommands",
    "+get",
    "-get",
    "+set",
    "-set",
    "+@read",
    "-@read",
    "+@write",
    "-@write",
    "+@string",
    "-@hash",
    "+@pubsub",
    "+@dangerous",
    "-@keyspace",
    "+client|id",
    "-client|id",
    "+client",
    "+select|0",
    "-select|0",
    "+acl|whoami",
    "+nosuch",
    "+@nosuch",
    "reset",
    "skip-sanitize-payload",
    "sanitize-payload",
    "clearselectors",
    "foo",
    // categories
    "read",
    "write",
    "string",
    "hash",
    "connection",
    "scripting",
    "nosuch",
    // commands, keys and channels for ACL DRYRUN
    "get",
    "set",
    "publish",
    "subscribe",
    "client",
    "id",
    "k1",
    "k2",
    "k3",
    "ch1",
    "x",
    // numbers for GENPASS
    "0",
    "1",
    "5",
    "256",
    "4096",
    "4097",
    // HELLO's and AUTH's neighbours
    "AUTH",
    "SETNAME",
    "3",
    // selectors
    "(+get ~k1)",
    "(+set %W~k2 &ch1)",
    "clearselectors",
    // ACL LOG [count | RESET] (reset and the numbers above)
    "LOG",
    "-1",
};
constexpr size_t kAclWordCount = sizeof(kAclWords) / sizeof(kAclWords[0]);

// FUNCTION's arguments and FCALL's / FCALL_RO's function name, picked by a
// pool token: the subcommands and options, library names and LIST
// patterns, function names, and library templates (at most kMaxLiteralLen
// bytes each) with the functions' keys (keys[1]) and values (args[1]) from
// the pools: positional and named registration, flags, a counter kept in
// the library's locals, reads, writes, refused writes, errors raised and
// returned, RESP3, and the load errors (metadata, names, collisions, the
// load-time globals). Few names, so libraries and functions collide.
// Left out: redis.log at load (a later FUNCTION LOAD REPLACE of such a
// library crashes redis-server 7.0.15) and two functions whose names differ
// only in case (FUNCTION DELETE of their library crashes it).
constexpr std::string_view kFunctionWords[] = {
    "LOAD",
    "DELETE",
    "FLUSH",
    "LIST",
    "STATS",
    "KILL",
    "HELP",
    "REPLACE",
    "LIBRARYNAME",
    "WITHCODE",
    "ASYNC",
    "SYNC",
    "lib1",
    "lib2",
    "lib3",
    "LIB1",
    "lib*",
    "l?b[12]",
    "*",
    "f1",
    "F1",
    "f2",
    "g2",
    "ro1",
    "w1",
    "cnt",
    "echo",
    "err1",
    "r3",
    "nosuch",
    // libraries
    "#!lua name=lib1\nredis.register_function('f1', function(k, a) return redis.call('get', k[1]) "
    "end)",
    "#!lua name=lib1\nredis.register_function('f1', function(k, a) return redis.call('set', k[1], "
    "a[1]) end)",
    "#!lua name=lib2\nredis.register_function{function_name='ro1',callback=function()return 1 "
    "end,flags={'no-writes'}}",
    "#!lua "
    "name=lib2\nredis.register_function{function_name='w1',callback=function()redis.call('del','k')"
    "end,flags={'no-writes'}}",
    "#!lua name=lib2\nredis.register_function{function_name='ro1', callback=function() return 1 "
    "end, description='one'}",
    "#!lua name=lib3\nlocal n = 0\nredis.register_function('cnt', function() n = n + 1 return n "
    "end)",
    "#!lua name=lib3\nredis.register_function('echo', function(k, a) return {k[1], a[1], #k, #a} "
    "end)",
    "#!lua name=lib2\nlocal r=redis.register_function\nr('f2',function(k)return "
    "redis.call('incr',k[1])end)\nr('g2',function()end)",
    "#!lua name=lib3\nredis.register_function('f1', function() return 3 end)",
    "#!lua name=lib3\nredis.register_function('err1', function(k, a) redis.call('set', k[1], a[1]) "
    "error('boom') end)",
    "#!lua name=lib3\nredis.register_function('err1', function(k) return {err='My error'} end)",
    "#!lua name=lib3\nredis.register_function('err1', function(k) return redis.pcall('incr', k[1]) "
    "end)",
    "#!lua name=lib1\nredis.register_function('r3', function(k, a) redis.setresp(3) return "
    "redis.call(a[1], k[1]) end)",
    "#!lua name=lib1\nredis.register_function{function_name='f1',callback=function() return "
    "{1,2.5,'x',true,false,{ok='s'}} end}",
    "#!lua "
    "name=lib1\nredis.register_function{function_name='F1',callback=function()end,flags={'no-"
    "cluster','ALLOW-OOM'}}",
    "#!lua name=lib2\nredis.register_function('f2', function() return redis.call('function', "
    "'list') end)",
    "#!lua name=lib2\nredis.register_function('f2', function() return math.random(1000) + "
    "#redis.call('keys', '*') end)",
    "#!lua name=lib1\n",
    "#!lua name=lib1\nreturn +",
    "#!lua name=lib1\nlocal s = string.len('x')",
    "#!lua name=lib1\nredis.call('ping')",
    "#!lua name=lib1\nredis.register_function('f1', function() return 1 "
    "end)\nredis.register_function('f1', function() return 2 end)",
    "#!lua name=lib1\nredis.register_function('f-1', function() return 1 end)",
    "#!lua name=lib1\nredis.register_function{function_name='f1'}",
    "#!lua name=lib1\nredis.register_function('f1')",
    "#!lua name=lib1\nredis.register_function{function_name='f1', callback=function() end, "
    "flags={'bogus'}}",
    "#!lua\nredis.register_function('f1', function() return 1 end)",
    "#!js name=lib1\nredis.register_function('f1', function() return 1 end)",
    "#!lua name=lib-1\nredis.register_function('f1', function() return 1 end)",
    "#!lua name=lib1 x=y\nredis.register_function('f1', function() return 1 end)",
    "return 1",

};
constexpr size_t kFunctionWordCount = sizeof(kFunctionWords) / sizeof(kFunctionWords[0]);
static_assert(kFunctionWordCount <= 128);
static_assert(kAclWordCount <= 128);
static_assert(kScriptCount <= 128);

const std::array<std::string, kScriptCount>& ScriptShas() {
  static const std::array<std::string, kScriptCount> shas = [] {
    std::array<std::string, kScriptCount> out;
    for (size_t i = 0; i < kScriptCount; ++i) {
      out[i] = models::refmodel::ScriptSha1Hex(std::string(kScripts[i]));
    }
    return out;
  }();
  return shas;
}

// Which argument positions hold a script (1), a script's sha (2) or an ACL
// word (3: kAclWords), so a pool token there picks from kScripts: EVAL/EVAL_RO's body, EVALSHA/
// EVALSHA_RO's sha, SCRIPT LOAD's body and the shas of SCRIPT's other
// subcommands (SCRIPT EXISTS). `argv` holds the name and the arguments
// before position `i`.
int ScriptArg(const std::vector<std::string>& argv, size_t i) {
  auto is = [](const std::string& a, std::string_view upper) {
    if (a.size() != upper.size()) return false;
    for (size_t k = 0; k < a.size(); ++k) {
      if (std::toupper(static_cast<unsigned char>(a[k])) != upper[k]) return false;
    }
    return true;
  };
  const std::string& name = argv[0];
  if (i == 1 && (is(name, "EVAL") || is(name, "EVAL_RO"))) return 1;
  if (i == 1 && (is(name, "EVALSHA") || is(name, "EVALSHA_RO"))) return 2;
  if (i >= 2 && is(name, "SCRIPT")) return is(argv[1], "LOAD") ? 1 : 2;
  // ACL: kAclWords for ACL's and AUTH's arguments and HELLO's AUTH pair.
  if (i >= 1 && (is(name, "ACL") || is(name, "AUTH"))) return 3;
  // Functions: kFunctionWords for FUNCTION's arguments and FCALL's name.
  if ((i >= 1 && is(name, "FUNCTION")) || (i == 1 && (is(name, "FCALL") || is(name, "FCALL_RO")))) {
    return 4;
  }
  if (is(name, "HELLO") &&
      ((i >= 2 && is(argv[i - 1], "AUTH")) || (i >= 3 && is(argv[i - 2], "AUTH")))) {
    return 3;
  }
  return 0;
}

constexpr std::array<uint32_t, 16> kClock = {1,    10,   99,   100,  101,  250,   500,   999,
                                             1000, 1001, 1500, 2000, 5000, 10000, 60000, 3600000};

bool DecodeToken(ByteReader& r, std::string* out, int script = 0) {
  uint8_t t;
  if (!r.Byte(&t)) return false;
  if (t < 0x80 && script == 3) {
    out->assign(kAclWords[t % kAclWordCount]);
    return true;
  }
  if (t < 0x80 && script == 4) {
    out->assign(kFunctionWords[t % kFunctionWordCount]);
    return true;
  }
  if (t < 0x80 && script != 0) {
    out->assign(script == 1 ? std::string(kScripts[t % kScriptCount])
                            : ScriptShas()[t % kScriptCount]);
    return true;
  }
  if (t < 0x80) {
    out->assign(kPools[t >> 4][t & 15]);
    return true;
  }
  return r.Bytes(t & 0x7f, out);
}

void EncodeToken(std::string_view arg, std::string* out, int script = 0) {
  for (size_t i = 0; i < kAclWordCount && script == 3; ++i) {
    if (kAclWords[i] == arg) {
      out->push_back(static_cast<char>(i));
      return;
    }
  }
  for (size_t i = 0; i < kFunctionWordCount && script == 4; ++i) {
    if (kFunctionWords[i] == arg) {
      out->push_back(static_cast<char>(i));
      return;
    }
  }
  for (size_t i = 0; i < kScriptCount && script != 0 && script != 3 && script != 4; ++i) {
    if ((script == 1 ? kScripts[i] : std::string_view(ScriptShas()[i])) == arg) {
      out->push_back(static_cast<char>(i));
      return;
    }
  }
  for (int p = 0; p < kPoolCount && script != 0; ++p) {
    if (std::find(kPools[p].begin(), kPools[p].end(), arg) != kPools[p].end()) {
      // A pool word here would read as a script: it goes as a literal.
      out->push_back(static_cast<char>(0x80 | arg.size()));
      out->append(arg);
      return;
    }
  }
  for (int p = 0; p < kPoolCount; ++p) {
    for (int i = 0; i < kPoolSize; ++i) {
      if (kPools[p][i] == arg) {
        out->push_back(static_cast<char>(p << 4 | i));
        return;
      }
    }
  }
  out->push_back(static_cast<char>(0x80 | arg.size()));
  out->append(arg);
}

bool PlainWord(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::span<const std::string_view> CommandNames() { return kNames; }
std::span<const std::string_view> Pool(int p) { return kPools[p]; }
std::span<const uint32_t> ClockSteps() { return kClock; }
std::span<const std::string_view> Scripts() { return kScripts; }
std::span<const std::string_view> FunctionWords() { return kFunctionWords; }

CommandProgram DecodeCommandProgram(std::string_view bytes) {
  CommandProgram p;
  // An op takes at least two bytes but active-expire, which takes one.
  p.ops.reserve(std::min(kMaxOps, bytes.size() / 2 + 1));
  ByteReader r(bytes);
  uint8_t h;
  while (p.ops.size() < kMaxOps && r.Byte(&h)) {
    Op op;
    op.session = h & 3;
    const int kind = h >> 2;
    if (kind >= 62) {
      op.kind = OpKind::kActiveExpire;
    } else if (kind >= 56) {
      op.kind = OpKind::kClock;
      uint8_t b;
      if (!r.Byte(&b)) break;
      if (b == 0xff) {
        if (!r.U32LE(&op.clock_ms)) break;
      } else {
        op.clock_ms = kClock[b % 16];
      }
    } else {
      uint8_t n, argc;
      if (!r.Byte(&n)) break;
      std::string name;
      if (n < kNames.size()) {
        name = kNames[n];
      } else if (!DecodeToken(r, &name)) {
        break;
      }
      if (!r.Byte(&argc)) break;
      argc %= kMaxArgs + 1;
      op.argv.reserve(argc + 1);
      op.argv.push_back(std::move(name));
      bool complete = true;
      for (int i = 0; i < argc && complete; ++i) {
        std::string a;
        complete = DecodeToken(r, &a, ScriptArg(op.argv, op.argv.size()));
        op.argv.push_back(std::move(a));
      }
      if (!complete) break;
    }
    if (op.kind != OpKind::kCommand) op.session = 0;
    p.ops.push_back(std::move(op));
  }
  return p;
}

std::string EncodeCommandProgram(const CommandProgram& p) {
  std::string out;
  size_t n = 0;
  for (const Op& op : p.ops) {
    if (n++ == kMaxOps) break;
    switch (op.kind) {
      case OpKind::kActiveExpire:
        out.push_back(static_cast<char>(62 << 2));
        break;
      case OpKind::kClock: {
        out.push_back(static_cast<char>(56 << 2));
        auto it = std::find(kClock.begin(), kClock.end(), op.clock_ms);
        if (it != kClock.end()) {
          out.push_back(static_cast<char>(it - kClock.begin()));
        } else {
          out.push_back(static_cast<char>(0xff));
          for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(op.clock_ms >> (8 * i)));
        }
        break;
      }
      case OpKind::kCommand: {
        if (op.argv.empty()) break;
        out.push_back(static_cast<char>(op.session & 3));
        auto it = std::find(kNames.begin(), kNames.end(), op.argv[0]);
        if (it != kNames.end()) {
          out.push_back(static_cast<char>(it - kNames.begin()));
        } else {
          out.push_back(static_cast<char>(kLiteralName));
          EncodeToken(op.argv[0].substr(0, kMaxLiteralLen), &out);
        }
        const size_t argc = std::min(op.argv.size() - 1, kMaxArgs);
        out.push_back(static_cast<char>(argc));
        for (size_t i = 1; i <= argc; ++i) {
          EncodeToken(op.argv[i].substr(0, kMaxLiteralLen), &out, ScriptArg(op.argv, i));
        }
        break;
      }
    }
  }
  return out;
}

std::string OpToText(const Op& op) {
  switch (op.kind) {
    case OpKind::kActiveExpire:
      return "active-expire";
    case OpKind::kClock:
      return absl::StrCat("clock +", op.clock_ms, "ms");
    case OpKind::kCommand:
      break;
  }
  std::string s = absl::StrCat("s", op.session + 1);
  for (const std::string& a : op.argv) {
    s += ' ';
    s += PlainWord(a) ? a : resp::QuoteInlineArg(a);
  }
  return s;
}

std::string CommandProgramToText(const CommandProgram& p) { return OpsToText(p.ops, OpToText); }

absl::StatusOr<CommandProgram> CommandProgramFromText(std::string_view text) {
  CommandProgram p;
  absl::Status parsed =
      ForEachProgramLine(text, [&](size_t line_no, std::string_view line) -> absl::Status {
        auto fail = [&](const std::string& why) { return ProgramLineError(line_no, why); };
        auto words = resp::SplitInlineArgs(line);
        if (!words || words->empty()) return fail("unbalanced quotes");
        if (p.ops.size() == kMaxOps) return fail(absl::StrCat("more than ", kMaxOps, " ops"));
        Op op;
        const std::string& w0 = (*words)[0];
        if (w0 == "active-expire") {
          if (words->size() != 1) return fail("active-expire takes no arguments");
          op.kind = OpKind::kActiveExpire;
        } else if (w0 == "clock") {
          if (words->size() != 2) return fail("expected 'clock +<ms>ms'");
          std::string_view a = (*words)[1];
          if (a.size() < 4 || a.front() != '+' || a.substr(a.size() - 2) != "ms") {
            return fail("expected 'clock +<ms>ms', got '" + std::string(a) + "'");
          }
          a = a.substr(1, a.size() - 3);
          uint32_t ms = 0;
          auto [ptr, ec] = std::from_chars(a.data(), a.data() + a.size(), ms);
          if (ec != std::errc() || ptr != a.data() + a.size()) {
            return fail("clock step must be 0 to 4294967295 ms, got '" + std::string(a) + "'");
          }
          op.kind = OpKind::kClock;
          op.clock_ms = ms;
        } else {
          if (w0.size() != 2 || w0[0] != 's' || w0[1] < '1' || w0[1] > '0' + kMaxSessions) {
            return fail(absl::StrCat("unknown op '", w0, "' (s1..s", kMaxSessions,
                                     " COMMAND ..., clock +<ms>ms, active-expire)"));
          }
          if (words->size() < 2) return fail("missing command name");
          if (words->size() - 2 > kMaxArgs) {
            return fail(absl::StrCat("more than ", kMaxArgs, " arguments"));
          }
          op.session = w0[1] - '1';
          op.argv.assign(words->begin() + 1, words->end());
          for (const std::string& a : op.argv) {
            if (a.size() > kMaxLiteralLen) {
              return fail(absl::StrCat("argument longer than ", kMaxLiteralLen, " bytes"));
            }
          }
        }
        p.ops.push_back(std::move(op));
        return absl::OkStatus();
      });
  if (!parsed.ok()) return parsed;
  return p;
}

}  // namespace respfuzz::harnesses
