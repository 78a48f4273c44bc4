// Properties of the classifier, checked with fast-check: it never throws, a destructive command stays
// destructive wherever it is hidden, and read-only commands composed stay read-only (the classifier
// is not "everything changes").
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { classifyArgv, classifyHttp, classifyScript, classifySql, loadParsers } from '../../../src/safety/index.js';

before(() => loadParsers());

const SHELLISH = [...'abcxyz019 -_=./$"\'`\\|&;()<>{}[]*?!#~\n\t', '{{ inputs.x }}', '$(', '<<EOF\n', '\nEOF\n', 'rm ', 'psql -c ', 'sudo ', 'SELECT ', 'DROP TABLE t;', '&&', '||', ' -- ', 'bash -c '];
const SQLISH = [...'abcxyz019 ,.;()*\'"$:=<>-+\n', 'SELECT ', 'FROM ', 'WHERE ', 'DELETE ', 'DROP ', 'WITH ', 'AS ', 'pg_terminate_backend(', 'now()', '{{ x }}', '$$', 'EXPLAIN ANALYZE ', 'COPY ', 'TO STDOUT'];

test('no input makes a classifier throw (after loadParsers)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...SHELLISH), maxLength: 40 })), (text) => {
      classifyScript(text);
    }),
    { numRuns: 400 },
  );
  fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...SHELLISH), maxLength: 10 }))), (argv) => void classifyArgv(argv)), { numRuns: 300 });
  fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...SQLISH), maxLength: 30 })), (sql) => void classifySql(sql)), { numRuns: 400 });
  fc.assert(fc.property(fc.string(), fc.boolean(), (method, hasBody) => void classifyHttp({ method, hasBody })), { numRuns: 100 });
});

/** A piece of script; `simple` when it is one simple command a wrapper can prefix. */
interface Piece {
  text: string;
  simple: boolean;
}

const q = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
/** A compound piece becomes a simple command for wrappers: `bash -c '...'`. */
const asSimple = (p: Piece): string => (p.simple ? p.text : `bash -c ${q(p.text)}`);
let heredocs = 0;

// Contexts end the hidden command with a newline before any closing syntax (here-documents need it).
const CONTEXTS: ((p: Piece) => Piece)[] = [
  (p) => ({ text: `echo start | ${asSimple(p)}`, simple: false }),
  (p) => ({ text: `{ ${p.text}\n} | grep -v x`, simple: false }),
  (p) => ({ text: `true && ${p.text}`, simple: false }),
  (p) => ({ text: `false || ${p.text}`, simple: false }),
  (p) => ({ text: `echo a; ${p.text}`, simple: false }),
  (p) => ({ text: `( ${p.text}\n)`, simple: false }),
  (p) => ({ text: `out=$( ${p.text}\n)`, simple: false }),
  (p) => ({ text: p.simple && !/[`\n]/.test(p.text) ? `echo \`${p.text}\`` : `echo "$( ${p.text}\n)"`, simple: false }),
  (p) => ({ text: `if true; then ${p.text}\nfi`, simple: false }),
  (p) => ({ text: `if pg_isready; then echo up; else ${p.text}\nfi`, simple: false }),
  (p) => ({ text: `for i in 1 2 3; do ${p.text}\ndone`, simple: false }),
  (p) => ({ text: `while false; do ${p.text}\ndone`, simple: false }),
  (p) => ({ text: `case "$x" in\n  go) ${p.text}\n  ;;\nesac`, simple: false }),
  (p) => ({ text: `cleanup() {\n  ${p.text}\n}`, simple: false }),
  (p) => ({ text: `cat <( ${p.text}\n)`, simple: false }),
  (p) => ({ text: `env ${asSimple(p)}`, simple: true }),
  (p) => ({ text: `env -i PATH=/bin A=1 ${asSimple(p)}`, simple: true }),
  (p) => ({ text: `sudo ${asSimple(p)}`, simple: true }),
  (p) => ({ text: `sudo -u postgres -E ${asSimple(p)}`, simple: true }),
  (p) => ({ text: `timeout 30 ${asSimple(p)}`, simple: true }),
  (p) => ({ text: `timeout -s KILL 5m ${asSimple(p)}`, simple: true }),
  (p) => ({ text: `nice -n 10 ${asSimple(p)}`, simple: true }),
  (p) => ({ text: `nohup ${asSimple(p)}`, simple: true }),
  // xargs appends a word to its command: only to a plain command (a quoted script would not parse).
  (p) => ({ text: p.simple && !/['\n]/.test(p.text) ? `echo x | xargs ${p.text}` : `echo x | xargs -I{} ${asSimple(p)}`, simple: false }),
  (p) => ({ text: p.simple && !/['\n]/.test(p.text) ? `xargs -r -n 1 ${p.text} < list.txt` : `xargs -I% ${asSimple(p)} < list.txt`, simple: false }),
  (p) => ({ text: `bash -c ${q(p.text)}`, simple: true }),
  (p) => ({ text: `sh -ec ${q(p.text)}`, simple: true }),
  (p) => ({ text: `ssh -p 22 db1 ${q(p.text)}`, simple: true }),
  (p) => {
    const tag = `EOF${heredocs++}`;
    return { text: `bash <<'${tag}'\n${p.text}\n${tag}`, simple: false };
  },
  (p) => ({ text: `${asSimple(p)} > /dev/null 2>&1`, simple: false }),
  (p) => ({ text: `${asSimple(p)} &`, simple: false }),
  (p) => ({ text: `time ${asSimple(p)}`, simple: false }),
  (p) => ({ text: `! ${asSimple(p)}`, simple: false }),
];

const DESTRUCTIVE = [
  'rm -rf /data', 'kubectl delete ns prod', 'kubectl scale deployment api --replicas=0', 'psql -c "DROP TABLE users"',
  'psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"', 'redis-cli FLUSHALL', 'systemctl stop postgresql',
  'docker compose down -v', 'curl -X DELETE https://api/x', 'curl --request=DELETE https://x', 'aws s3 rm s3://b --recursive',
  'dropdb app', 'git reset --hard', 'terraform destroy -auto-approve', 'helm uninstall api', 'find /tmp -name x -delete',
  'pg_restore --clean -d app x.dump', 'kill -9 1', 'truncate -s 0 app.log', 'mkfs.ext4 /dev/sdb', 'crontab -r',
  'kafka-topics --bootstrap-server k:9092 --delete --topic t', 'supabase db reset', 'shred -u f', 'dd if=/dev/zero of=/dev/sda',
  'kubectl drain node-1', 'docker rm -f api', 'redis-cli DEL k', 'psql -tAc "TRUNCATE events"', 'pkill -f worker',
];

test('a destructive command stays destructive in any context', () => {
  fc.assert(
    fc.property(fc.constantFrom(...DESTRUCTIVE), fc.array(fc.constantFrom(...CONTEXTS), { minLength: 1, maxLength: 4 }), (command, contexts) => {
      const script = contexts.reduce<Piece>((piece, wrap) => wrap(piece), { text: command, simple: true }).text;
      const verdict = classifyScript(script);
      assert.equal(verdict.effect, 'destructive', `${JSON.stringify(script)}: ${verdict.reasons.join(' | ')}`);
    }),
    { numRuns: 600 },
  );
});

const READ_ONLY = [
  'ls -la /var/backups', 'kubectl get pods -n prod', 'psql -tAc "SELECT count(*) FROM users"', 'redis-cli INFO replication',
  'systemctl status api', 'docker ps', 'curl -sSf https://x/health', 'aws s3 ls s3://b', 'git status', 'pg_isready -h db',
  'grep -c error /var/log/app.log', 'df -h', 'echo ok', 'jq .a f.json', 'journalctl -u api --since today', 'date', 'sleep 1',
  'dig +short db', 'kafka-topics --list --bootstrap-server k:9092', 'pg_dump --schema-only db', 'kubectl rollout status deploy/api',
  'docker compose logs --tail 50', 'psql -c "\\dt"', 'redis-cli --scan --pattern "s:*"', 'aws rds describe-db-instances',
  'helm status api', 'terraform plan', 'wget -qO- https://x', 'curl -I https://x', 'sha256sum -c sums.txt',
];

const COMBINE: ((a: string, b: string) => string)[] = [
  (a, b) => `${a} | ${b}`,
  (a, b) => `${a} && ${b}`,
  (a, b) => `${a} || ${b}`,
  (a, b) => `${a}; ${b}`,
  (a, b) => `( ${a} ); { ${b}; }`,
  (a, b) => `x=$( ${a} ); ${b}`,
  (a, b) => `if ${a}; then ${b}; fi`,
  (a, b) => `for i in 1 2; do ${a}; done; ${b}`,
  (a, b) => `bash -c ${q(a)} && ${b}`,
  (a, b) => `${a}; sudo ${b} | timeout 5 ${b}`,
  (a, b) => `${a} && env A=1 nice ${b} > /dev/null 2>&1`,
  (a, b) => `ssh db1 ${q(a)}; ${b}`,
];

test('read-only commands composed stay read-only (and proven)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...READ_ONLY), fc.array(fc.tuple(fc.constantFrom(...COMBINE), fc.constantFrom(...READ_ONLY)), { maxLength: 4 }), (first, steps) => {
      const script = steps.reduce((acc, [join, next]) => join(acc, next), first);
      const verdict = classifyScript(script);
      assert.deepEqual({ effect: verdict.effect, proven: verdict.proven }, { effect: 'read-only', proven: true }, `${JSON.stringify(script)}: ${verdict.reasons.join(' | ')}`);
    }),
    { numRuns: 400 },
  );
});
