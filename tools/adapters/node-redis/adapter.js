#!/usr/bin/env node
// respfuzz cache adapter for node-redis (the npm package `redis`) and its
// client-side cache (clientSideCache, RESP3 only). Speaks the adapter
// protocol of docs/cache-adapters.md: one JSON request per line on stdin,
// one JSON response per line on stdout, strictly in order.
'use strict';

const readline = require('node:readline');
const redis = require('redis');
const { createClient, BasicClientSideCache, ErrorReply } = redis;
const version = require('redis/package.json').version;

let client = null;
let cache = null;

// A reply as JSON: strings, numbers, null, arrays, objects (maps), and
// {"error": text} for an error reply.
function toJson(v) {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof ErrorReply) return { error: v.message };
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Set) return [...v].map(toJson);
  if (v instanceof Map) {
    const o = {};
    for (const [k, x] of v) o[String(k)] = toJson(x);
    return o;
  }
  if (typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = toJson(v[k]);
    return o;
  }
  return String(v);
}

// Commands go through node-redis's typed methods: only those reach its
// cache (sendCommand bypasses it). Arguments stay strings, as the server
// sees them; multi-key commands take their keys as an array.
function typedCall(target, args) {
  const name = String(args[0]).toUpperCase();
  const rest = args.slice(1);
  switch (name) {
    case 'MGET':
      return target.MGET(rest);
    case 'EXISTS':
      return target.EXISTS(rest);
    case 'HMGET':
      return target.HMGET(rest[0], rest.slice(1));
    case 'SMISMEMBER':
      return target.SMISMEMBER(rest[0], rest.slice(1));
    case 'ZMSCORE':
      return target.ZMSCORE(rest[0], rest.slice(1));
    case 'GET': case 'STRLEN': case 'TYPE': case 'HGETALL': case 'HLEN': case 'HKEYS':
    case 'HVALS': case 'SMEMBERS': case 'SCARD': case 'LLEN': case 'ZCARD':
    case 'HGET': case 'HEXISTS': case 'HSTRLEN': case 'SISMEMBER': case 'LINDEX':
    case 'ZSCORE': case 'ZRANK': case 'GETRANGE': case 'LRANGE': case 'ZCOUNT':
      return target[name](...rest);
    case 'ZRANGE':
      if (rest.length === 3) return target.ZRANGE(...rest);
      break;
  }
  return null;  // not a command this adapter maps: sent as it is
}

async function call(args) {
  const before = cache.stats().hitCount;
  let reply;
  try {
    const typed = typedCall(client, args);
    reply = typed !== null ? await typed : await client.sendCommand(args.map(String));
  } catch (err) {
    if (err instanceof ErrorReply) return { reply: { error: err.message }, cached: false };
    throw err;
  }
  return { reply: toJson(reply), cached: cache.stats().hitCount > before };
}

async function batch(commands, pipeline) {
  const m = client.multi();
  for (const c of commands) m.addCommand(c.map(String));
  const replies = pipeline ? await m.execAsPipeline() : await m.exec();
  return replies.map((r) => ({ reply: toJson(r), cached: false }));
}

async function handle(req) {
  switch (req.op) {
    case 'connect': {
      if (req.resp !== 3) throw new Error('node-redis caches only over RESP3');
      if (req.mode !== 'default') throw new Error(`node-redis has no ${req.mode} mode`);
      cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
      client = createClient({
        socket: {
          host: req.host,
          port: req.port,
          connectTimeout: 5000,
          reconnectStrategy: (retries) => (retries > 50 ? new Error('gave up reconnecting') : 20),
        },
        RESP: 3,
        clientSideCache: cache,
      });
      client.on('error', () => {});  // reconnects are node-redis's own business
      await client.connect();
      return { client: `node-redis ${version}` };
    }
    case 'call':
      return await call(req.args);
    case 'pipeline':
      return { replies: await batch(req.commands, true) };
    case 'multi':
      return { replies: await batch(req.commands, false) };
    case 'client_ids':
      return { ids: [Number(await client.sendCommand(['CLIENT', 'ID']))] };
    case 'quit':
      if (client) await client.close().catch(() => {});
      client = null;
      return {};
    default:
      throw new Error(`unknown op '${req.op}'`);
  }
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    let req = {};
    let res;
    try {
      req = JSON.parse(line);
      res = { id: req.id, ok: true, ...(await handle(req)) };
    } catch (err) {
      res = { id: req.id, ok: false, error: String(err && err.message ? err.message : err) };
    }
    process.stdout.write(JSON.stringify(res) + '\n');
    if (req.op === 'quit') break;
  }
  if (client) await client.close().catch(() => {});
  process.exit(0);
}

main();
