// Keyspace notifications of the reference model (notify.c of Redis
// 7.0.15): notifyKeyspaceEvent, and which commands publish their events
// here. Each command calls NotifyKeyspaceEvent where Redis calls
// notifyKeyspaceEvent, so the order of a command's events (and of the
// `new` of dbAdd and the `expired` of deleteExpiredKeyAndPropagate among
// them) is the order of the code.
#include <set>
#include <string>

#include "harnesses/models/reference_state.h"

namespace respfuzz::models::refmodel {

void NotifyKeyspaceEvent(State& st, int64_t type, const std::string& event, const std::string& key,
                         int db) {
  const int64_t flags = st.config.notify_keyspace_events;
  if ((flags & type) == 0) return;
  const std::string dbpart = "@" + std::to_string(db) + "__:";
  if (flags & kNotifyKeyspace) PubSubPublish(st, "__keyspace" + dbpart + key, event, false);
  if (flags & kNotifyKeyevent) PubSubPublish(st, "__keyevent" + dbpart + event, key, false);
}

void Ctx::Notify(int64_t type, const std::string& event, const std::string& key) {
  NotifyKeyspaceEvent(st, type, event, key, db());
}

// The commands whose events the model publishes, by full name. Those not
// named (COMMAND, MEMORY, ...) are not run by the harness
// while notify-keyspace-events selects anything (harnesses/command_handler).
bool NotifyModelled(const std::string& name) {
  static const std::set<std::string> kModelled = {
      // no key changes, or no events
      "ping", "echo", "hello", "select", "multi", "exec", "discard", "watch", "unwatch", "time",
      "reset", "client|id", "client|setname", "client|getname", "client|info", "client|unblock",
      "client|pause", "client|unpause", "publish", "spublish", "pubsub|channels", "pubsub|numsub",
      "pubsub|numpat", "pubsub|shardchannels", "pubsub|shardnumsub", "pubsub|help", "subscribe",
      "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "config|get",
      "config|set", "config|resetstat", "config|help", "object|encoding", "object|freq",
      "object|idletime", "object|refcount", "object|help", "dbsize", "keys", "scan", "flushdb",
      "flushall", "swapdb", "randomkey",
      // DEBUG: POPULATE's dbAdd publishes "new" (DbAdd); RELOAD, LOG,
      // PROTOCOL, DIGEST and SET-ACTIVE-EXPIRE publish nothing
      "debug",
      // read-only commands: only lazy expiry (expired) happens in them
      "get", "mget", "strlen", "getrange", "exists", "type", "ttl", "pttl", "expiretime",
      "pexpiretime", "touch", "lcs", "getbit", "bitcount", "bitpos", "bitfield_ro", "llen",
      "lrange", "lindex", "lpos", "hget", "hmget", "hexists", "hlen", "hkeys", "hvals", "hgetall",
      "hstrlen", "hrandfield", "hscan", "sismember", "smismember", "smembers", "scard", "sinter",
      "sunion", "sdiff", "sintercard", "srandmember", "sscan", "zscore", "zmscore", "zcard",
      "zcount", "zrange", "zrangebyscore", "zrevrange", "zrevrangebyscore", "zrank", "zrevrank",
      "zrangebylex", "zrevrangebylex", "zlexcount", "zunion", "zinter", "zdiff", "zintercard",
      "zrandmember", "zscan",
      // strings and keys
      "set", "setnx", "setex", "psetex", "getset", "mset", "msetnx", "append", "setrange", "incr",
      "decr", "incrby", "decrby", "incrbyfloat", "getdel", "getex", "del", "unlink", "expire",
      "pexpire", "expireat", "pexpireat", "persist", "rename", "renamenx", "move", "copy", "setbit",
      "bitop", "bitfield",
      // HyperLogLog (PFCOUNT writes only its cache: no event)
      "pfadd", "pfcount", "pfmerge",
      // lists
      "lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "linsert", "lset", "lrem", "ltrim",
      "lmove", "rpoplpush", "lmpop", "blpop", "brpop", "blmove", "brpoplpush", "blmpop",
      // hashes
      "hset", "hmset", "hsetnx", "hincrby", "hincrbyfloat", "hdel",
      // sets
      "sadd", "srem", "smove", "spop", "sinterstore", "sunionstore", "sdiffstore",
      // sorted sets
      "zadd", "zincrby", "zrem", "zremrangebyscore", "zremrangebyrank", "zremrangebylex", "zpopmin",
      "zpopmax", "zmpop", "bzpopmin", "bzpopmax", "bzmpop", "zunionstore", "zinterstore",
      "zdiffstore", "zrangestore",
      // SORT ... STORE; eviction (performEvictions, any command) is
      // modelled: evicted
      "sort", "sort_ro", "memory|usage", "memory|help",
      // GEO (reference_geo.cc): GEOADD publishes ZADD's zadd; the stores
      // new + georadiusstore / geosearchstore, or del
      "geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro", "georadiusbymember",
      "georadiusbymember_ro", "geosearch", "geosearchstore",
      // streams (reference_streams.cc): xadd, xtrim, xdel, xsetid, the
      // xgroup-* events, xgroup-createconsumer from the reads and claims
      // that make a consumer (a blocked XREADGROUP's when it is served)
      "xadd", "xtrim", "xdel", "xsetid", "xlen", "xrange", "xrevrange", "xread", "xreadgroup",
      "xack", "xpending", "xclaim", "xautoclaim", "xgroup|create", "xgroup|setid", "xgroup|destroy",
      "xgroup|createconsumer", "xgroup|delconsumer", "xgroup|help", "xinfo|stream", "xinfo|groups",
      "xinfo|consumers", "xinfo|help"};
  return kModelled.count(name) > 0;
}

}  // namespace respfuzz::models::refmodel
