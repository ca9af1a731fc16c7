// clients.js CLIENT PORT: runs the ordinary commands of one npm client
// (node-redis or ioredis) against a server on 127.0.0.1:PORT and prints one
// line per step, in a form that does not depend on which server answered.
// The ctest real-clients runs it against redis-server 7.0.15 and against
// `respfuzz serve` and requires equal transcripts. Exits 1 on a connection
// failure or a timeout (10 s in all), 2 on bad usage.
'use strict';

const [client, portText] = process.argv.slice(2);
const port = Number(portText);
if (!['node-redis', 'node-redis-resp3', 'ioredis'].includes(client) ||
    !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: clients.js node-redis|node-redis-resp3|ioredis PORT');
  process.exit(2);
}
const deadline = setTimeout(() => {
  console.error(`clients.js: ${client}: no result within 10 s`);
  process.exit(1);
}, 10000);

// A reply as text: Buffers and strings as strings, objects with sorted keys,
// errors by their message.
function show(v) {
  if (v instanceof Error) return `error:${v.message}`;
  if (Buffer.isBuffer(v)) return `buffer:${JSON.stringify(v.toString('latin1'))}`;
  if (v instanceof Map) return show(Object.fromEntries(v));
  if (v instanceof Set) return show([...v].sort());
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${k}:${show(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

async function step(name, f) {
  let out;
  try {
    out = show(await f());
  } catch (e) {
    out = show(e);
  }
  console.log(`${name} ${out}`);
}

async function common(c, call) {
  await step('flushall', () => call('FLUSHALL'));
  await step('ping', () => call('PING'));
  await step('set', () => call('SET', 'greeting', 'hello'));
  await step('get', () => call('GET', 'greeting'));
  await step('get-missing', () => call('GET', 'missing'));
  await step('incr', () => call('INCR', 'n'));
  await step('incr-wrongtype', () => call('INCR', 'greeting'));
  await step('rpush', () => call('RPUSH', 'list', 'a', 'b', 'c'));
  await step('lrange', () => call('LRANGE', 'list', '0', '-1'));
  await step('hset', () => call('HSET', 'h', 'f1', 'v1', 'f2', 'v2'));
  await step('hmget', () => call('HMGET', 'h', 'f1', 'x', 'f2'));
  await step('sadd', () => call('SADD', 's', 'x', 'y', 'z'));
  await step('scard', () => call('SCARD', 's'));
  await step('zadd', () => call('ZADD', 'z', '1.5', 'm1', '2', 'm2'));
  await step('zrange', () => call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'));
  await step('expire', () => call('EXPIRE', 'greeting', '100'));
  await step('ttl', () => call('TTL', 'greeting'));
  await step('unknown', () => call('NOSUCHCOMMAND', 'x'));
  for (let i = 0; i < 30; i++) await call('SET', `scan:${i}`, String(i));
}

async function nodeRedis(resp) {
  const { createClient } = require('redis');
  const c = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP: resp });
  c.on('error', () => {});
  await c.connect();
  await common(c, (...args) => c.sendCommand(args));
  await step('typed-hgetall', () => c.hGetAll('h'));
  await step('typed-smembers', () => c.sMembers('s').then((v) => [...v].sort()));
  await step('multi', () => c.multi().incr('n').get('n').exec());
  // Pipelined: the commands of one tick go out together.
  await step('pipeline', () => Promise.all([c.incr('p'), c.incr('p'), c.get('p')]));
  const keys = [];
  for await (const batch of c.scanIterator({ MATCH: 'scan:*', COUNT: 7 })) keys.push(...batch);
  console.log(`scan-iterator ${keys.length} keys, ${new Set(keys).size} distinct`);
  // Pub/sub on a second connection.
  const sub = c.duplicate();
  sub.on('error', () => {});
  await sub.connect();
  let heard;
  const message = new Promise((resolve) => { heard = resolve; });
  await step('subscribe', () => sub.subscribe('news', (m, ch) => heard(`${ch}:${m}`)));
  await step('publish', () => c.publish('news', 'hi'));
  await step('message', () => message);
  await sub.quit().catch(() => {});
  await c.quit();
}

async function ioredis() {
  const { Redis } = require('ioredis');
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0,
                        retryStrategy: () => null, enableOfflineQueue: false });
  c.on('error', () => {});
  await c.connect();
  await common(c, (...args) => c.call(...args));
  await step('typed-hgetall', () => c.hgetall('h'));
  await step('typed-smembers', () => c.smembers('s').then((v) => v.sort()));
  await step('multi', () => c.multi().incr('n').get('n').exec());
  await step('pipeline', () => c.pipeline().incr('p').incr('p').get('p').exec());
  const keys = await new Promise((resolve, reject) => {
    const all = [];
    c.scanStream({ match: 'scan:*', count: 7 })
      .on('data', (b) => all.push(...b))
      .on('end', () => resolve(all))
      .on('error', reject);
  });
  console.log(`scan-stream ${keys.length} keys, ${new Set(keys).size} distinct`);
  await c.quit();
}

const run = client === 'ioredis' ? ioredis() : nodeRedis(client === 'node-redis-resp3' ? 3 : 2);
run.then(() => {
  clearTimeout(deadline);
}, (e) => {
  console.error(`clients.js: ${client}: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
