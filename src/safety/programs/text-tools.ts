// Readers with a writing or executing form: sed -i, awk's system(), sort -o, tee FILE, find -delete,
// tar -x, gzip without -c, journalctl --vacuum, nc without -z.
import { changesState, combine, destructive, readOnly, unproven, type Verdict } from '../../runbook/effect.js';
import { harmlessTarget, has, parseOptions, values, words } from '../options.js';
import type { Arg, ProgramClassifier } from '../types.js';
import { quote, subCommand } from '../types.js';

/** sed's `w file` and `e command` commands, and the s///w and s///e flags. */
const SED_WRITES = /(^|[;{}\n])\s*[\d,$/!]*\s*[wWe](\s|$)|s(.)(?:(?!\3).|\\.)*\3(?:(?!\3).|\\.)*\3[gpiImM\d]*[we]/;

const sed: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'efl', long: ['expression', 'file', 'line-length'] });
  const shown = quote(c.display);
  if (has(p, '-i', '--in-place') || p.options.some((o) => o.name.startsWith('--in-place'))) return changesState(`${shown} edits files in place`);
  if (has(p, '-f', '--file')) return unproven(`${shown}: the sed script is in a file that cannot be seen`);
  const scripts = values(p, '-e', '--expression');
  const program = scripts.length > 0 ? scripts : p.positionals.slice(0, 1);
  if (program.some((a) => SED_WRITES.test(a.text))) return unproven(`${shown}: the sed script writes files or runs commands`);
  return readOnly(`${shown} only reads`);
};

const awk: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'Fvfi', long: ['field-separator', 'assign', 'file', 'include'] });
  const shown = quote(c.display);
  if (has(p, '-f', '--file')) return unproven(`${shown}: the awk program is in a file that cannot be seen`);
  if (values(p, '-i', '--include').some((a) => a.text === 'inplace')) return changesState(`${shown} edits files in place`);
  const program = p.positionals[0]?.text ?? '';
  // system(), pipes to or from commands, and print/printf redirected to a file.
  if (/\bsystem\s*\(/.test(program) || /(^|[^|])\|([^|]|$)/.test(program) || /\bprintf?\b[^;}]*>/.test(program)) {
    return unproven(`${shown}: the awk program runs commands or writes files`);
  }
  return readOnly(`${shown} only reads`);
};

/** Programs whose non-option arguments, past the first `skip`, are files they write. */
const writesOperands = (name: string, skip: number, short = '', long: string[] = []): ProgramClassifier => (c) => {
  const p = parseOptions(c.args.slice(1), { short, long });
  const written = p.positionals.slice(skip).filter((a) => !harmlessTarget(a.text));
  return written.length > 0 ? changesState(`${quote(c.display)} writes ${written.map((a) => a.text).join(', ')}`) : readOnly(`${quote(c.display)} only reads (${name} to stdout)`);
};

const sort: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'ktoST', long: ['key', 'field-separator', 'output', 'buffer-size', 'temporary-directory'] });
  const out = values(p, '-o', '--output').filter((a) => !harmlessTarget(a.text));
  return out.length > 0 ? changesState(`${quote(c.display)} writes ${out[0]!.text}`) : readOnly(`${quote(c.display)} only reads`);
};

const find: ProgramClassifier = (c, classify) => {
  const args = c.args.slice(1);
  const verdicts: Verdict[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!.text;
    if (word === '-delete') verdicts.push(destructive(`${quote(c.display)} deletes the files it finds`));
    else if (/^-(fprint|fprint0|fprintf|fls)$/.test(word)) verdicts.push(changesState(`${quote(c.display)} writes the file ${args[i + 1]?.text ?? ''}`));
    else if (/^-(exec|execdir|ok|okdir)$/.test(word)) {
      const end = args.findIndex((a, j) => j > i && (a.text === ';' || a.text === '+'));
      const inner: Arg[] = args.slice(i + 1, end < 0 ? undefined : end);
      verdicts.push(classify.command(subCommand(c, inner, undefined)));
      i = end < 0 ? args.length : end;
    }
  }
  return verdicts.length > 0 ? combine(verdicts) : readOnly(`${quote(c.display)} only reads`);
};

const tar: ProgramClassifier = (c) => {
  const first = c.args[1]?.text ?? '';
  const listing = /^-?[a-zA-Z]*t/.test(first) || c.args.some((a) => a.text === '--list');
  return listing ? readOnly(`${quote(c.display)} only lists an archive`) : changesState(`${quote(c.display)} writes files or an archive`);
};

/** gzip & co. replace their input files unless told to write to stdout, test or list. */
const compressor: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'S', long: ['suffix'] });
  if (has(p, '-c', '--stdout', '--to-stdout', '-t', '--test', '-l', '--list') || p.positionals.length === 0) return readOnly(`${quote(c.display)} only reads (to stdout)`);
  return changesState(`${quote(c.display)} replaces files with their (de)compressed form`);
};

const journalctl: ProgramClassifier = (c) => {
  if (c.args.some((a) => a.text.startsWith('--vacuum') || a.text === '--flush' || a.text === '--rotate')) return destructive(`${quote(c.display)} deletes or rotates journal files`);
  return readOnly(`${quote(c.display)} only reads the journal`);
};

const nc: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'wpsixX' });
  return has(p, '-z') ? readOnly(`${quote(c.display)} only checks a port`) : unproven(`${quote(c.display)}: what nc sends cannot be seen`);
};

const openssl: ProgramClassifier = (c) => {
  const verb = c.args[1]?.text ?? '';
  if (c.args.some((a) => a.text === '-out')) return changesState(`${quote(c.display)} writes a file`);
  if (['x509', 's_client', 'version', 'verify', 'dgst', 'ciphers', 'crl', 'req', 'rsa', 'pkey', 'asn1parse', 'sha256'].includes(verb) && !c.args.some((a) => a.text === '-new')) return readOnly(`${quote(c.display)} only reads`);
  return unproven(`${quote(c.display)}: \`openssl ${verb}\` is not known to be read-only`);
};

const ip: ProgramClassifier = (c) => {
  const w = words(parseOptions(c.args.slice(1), { short: 'fn', long: ['family', 'netns'] }));
  const verb = w[1];
  return verb === undefined || ['show', 'list', 'ls', 'get', 'lst'].includes(verb) ? readOnly(`${quote(c.display)} only reads`) : changesState(`${quote(c.display)} changes the network configuration`);
};

const iptables: ProgramClassifier = (c) => {
  const flags = c.args.slice(1).map((a) => a.text);
  if (flags.some((f) => /^(-L|--list|-S|--list-rules|-nL|-nvL|-vnL|-Ln)$/.test(f))) return readOnly(`${quote(c.display)} only lists rules`);
  if (flags.some((f) => /^(-F|--flush|-X|--delete-chain|-D|--delete)$/.test(f))) return destructive(`${quote(c.display)} deletes firewall rules`);
  return changesState(`${quote(c.display)} changes firewall rules`);
};

export const TEXT_TOOLS: Record<string, ProgramClassifier> = {
  sed, gsed: sed, awk, gawk: awk, mawk: awk, nawk: awk, sort, find,
  tee: writesOperands('tee', 0),
  uniq: writesOperands('uniq', 1, 'fsw', ['skip-fields', 'skip-chars', 'check-chars']),
  tar, gzip: compressor, gunzip: compressor, bzip2: compressor, bunzip2: compressor, xz: compressor, unxz: compressor, zstd: compressor, pigz: compressor, lz4: compressor,
  journalctl, nc, ncat: nc, netcat: nc, openssl, ip, iptables, ip6tables: iptables,
};
