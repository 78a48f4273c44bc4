// redis-cli by the command it sends (case-insensitive, two words for container commands).
import { changesState, destructive, readOnly, unproven } from '../../runbook/effect.js';
import { has, parseOptions } from '../options.js';
import type { ProgramClassifier } from '../types.js';
import { quote, verbChanges } from '../types.js';

const READ = new Set(
  `PING INFO GET MGET EXISTS TTL PTTL EXPIRETIME PEXPIRETIME TYPE DBSIZE SCAN SSCAN HSCAN ZSCAN KEYS STRLEN
  GETRANGE HGET HGETALL HMGET HKEYS HVALS HLEN HEXISTS HSTRLEN HRANDFIELD LLEN LRANGE LINDEX LPOS SMEMBERS
  SCARD SISMEMBER SMISMEMBER SRANDMEMBER SINTER SUNION SDIFF ZRANGE ZREVRANGE ZCARD ZSCORE ZMSCORE ZRANK
  ZREVRANK ZCOUNT ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZLEXCOUNT XLEN XRANGE XREVRANGE XPENDING
  BITCOUNT BITPOS GETBIT PFCOUNT GEOPOS GEODIST GEOSEARCH LASTSAVE ROLE TIME ECHO RANDOMKEY DUMP LOLWUT
  READONLY WAIT SUBSTR LCS`.split(/\s+/),
);
/** Container commands whose listed sub-commands only read. */
const READ_SUB: Record<string, string[]> = {
  CONFIG: ['GET'],
  CLIENT: ['LIST', 'INFO', 'GETNAME', 'ID', 'TRACKINGINFO', 'GETREDIR'],
  SLOWLOG: ['GET', 'LEN', 'HELP'],
  MEMORY: ['USAGE', 'STATS', 'DOCTOR', 'MALLOC-STATS', 'HELP'],
  CLUSTER: ['INFO', 'NODES', 'SLOTS', 'SHARDS', 'MYID', 'KEYSLOT', 'COUNTKEYSINSLOT', 'GETKEYSINSLOT', 'REPLICAS', 'SLAVES', 'LINKS'],
  LATENCY: ['LATEST', 'DOCTOR', 'HISTORY', 'GRAPH', 'HISTOGRAM', 'HELP'],
  COMMAND: ['COUNT', 'INFO', 'DOCS', 'LIST', 'GETKEYS'],
  OBJECT: ['ENCODING', 'FREQ', 'IDLETIME', 'REFCOUNT', 'HELP'],
  ACL: ['WHOAMI', 'LIST', 'USERS', 'GETUSER', 'CAT', 'LOG', 'HELP', 'DRYRUN'],
  MODULE: ['LIST'],
  FUNCTION: ['LIST', 'STATS', 'DUMP'],
  SCRIPT: ['EXISTS'],
  XINFO: ['STREAM', 'GROUPS', 'CONSUMERS', 'HELP'],
  PUBSUB: ['CHANNELS', 'NUMSUB', 'NUMPAT', 'SHARDCHANNELS', 'SHARDNUMSUB'],
  SENTINEL: ['MASTERS', 'MASTER', 'REPLICAS', 'SLAVES', 'SENTINELS', 'GET-MASTER-ADDR-BY-NAME', 'CKQUORUM', 'INFO-CACHE', 'MYID'],
};
const DESTROY: Record<string, string> = {
  FLUSHALL: 'deletes every key in every database',
  FLUSHDB: 'deletes every key in the database',
  DEL: 'deletes keys',
  UNLINK: 'deletes keys',
  GETDEL: 'deletes a key',
  SHUTDOWN: 'shuts the server down',
  SWAPDB: 'swaps two databases',
  'CONFIG RESETSTAT': 'discards the server statistics',
  'CLIENT KILL': 'disconnects clients',
  'CLUSTER RESET': 'resets a cluster node',
  'CLUSTER FORGET': 'removes a node from the cluster',
  'SCRIPT FLUSH': 'deletes every cached script',
  'FUNCTION FLUSH': 'deletes every function',
  'FUNCTION DELETE': 'deletes a function library',
  'SLOWLOG RESET': 'discards the slow log',
  'LATENCY RESET': 'discards latency data',
  'ACL DELUSER': 'deletes users',
  'SENTINEL REMOVE': 'stops monitoring a master',
  'SENTINEL RESET': 'resets masters’ state',
};

const VALUES = { short: 'hpasnuridD', long: ['user', 'pass', 'askpass', 'cacert', 'cacertdir', 'cert', 'key', 'tls-ciphers', 'sni', 'eval', 'rdb', 'functions-rdb', 'pattern', 'count', 'quoted-pattern', 'memkeys-samples'] };

const redisCli: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), VALUES);
  const shown = quote(c.display);
  if (has(p, '--scan', '--bigkeys', '--memkeys', '--hotkeys', '--latency', '--latency-history', '--latency-dist', '--stat', '--intrinsic-latency', '--version', '-v')) return readOnly(`${shown} only reads`);
  if (has(p, '--rdb', '--functions-rdb')) return changesState(`${shown} writes a local RDB file`);
  if (has(p, '--pipe', '--eval')) return unproven(`${shown}: the commands sent cannot be seen`);
  const [first, second] = p.positionals.map((a) => a.text.toUpperCase());
  if (!first) return unproven(`${shown}: reads its commands from stdin, which cannot be seen`);
  const pair = `${first} ${second ?? ''}`.trim();
  if (DESTROY[pair]) return destructive(`${shown} ${DESTROY[pair]}`);
  if (DESTROY[first]) return destructive(`${shown} ${DESTROY[first]}`);
  if (READ.has(first) || (READ_SUB[first] && second && READ_SUB[first].includes(second))) return readOnly(`${shown} only reads`);
  return verbChanges(shown, pair, 'sends a command that writes');
};

export const REDIS: Record<string, ProgramClassifier> = { 'redis-cli': redisCli, 'valkey-cli': redisCli };
