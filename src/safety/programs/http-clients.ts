// curl and wget: the request they send (method, body) and the files they write.
import { changesState, combine, unproven, type Verdict } from '../../runbook/effect.js';
import { classifyHttp } from '../http.js';
import { harmlessTarget, has, parseOptions, values } from '../options.js';
import type { ProgramClassifier } from '../types.js';
import { quote } from '../types.js';

const CURL_VALUES = {
  short: 'XdFTHuAebcDoKwmxrEyYzCUQ',
  long: ['request', 'data', 'data-raw', 'data-binary', 'data-urlencode', 'data-ascii', 'json', 'form', 'form-string', 'upload-file', 'header', 'user', 'user-agent', 'referer', 'cookie', 'cookie-jar', 'dump-header', 'output', 'config', 'write-out', 'max-time', 'connect-timeout', 'retry', 'retry-delay', 'retry-max-time', 'proxy', 'resolve', 'url', 'range', 'cacert', 'cert', 'key', 'limit-rate', 'interface', 'unix-socket', 'oauth2-bearer', 'aws-sigv4', 'noproxy', 'output-dir', 'connect-to', 'capath', 'ciphers', 'max-filesize', 'quote', 'trace', 'trace-ascii', 'stderr', 'variable', 'expand-data'],
};
const BODY = ['-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--data-ascii', '--json', '-F', '--form', '--form-string', '-T', '--upload-file'];

const curl: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), CURL_VALUES);
  const shown = quote(c.display);
  if (has(p, '-K', '--config')) return unproven(`${shown}: options come from a config file that cannot be seen`);
  const verdicts: Verdict[] = [];
  const body = has(p, ...BODY) && !has(p, '-G', '--get');
  const upload = has(p, '-T', '--upload-file');
  const explicit = values(p, '-X', '--request').at(-1)?.text;
  const method = explicit ?? (has(p, '-I', '--head') ? 'HEAD' : upload ? 'PUT' : body ? 'POST' : 'GET');
  verdicts.push(classifyHttp({ method, hasBody: body }, c.display));
  const written = [...values(p, '-o', '--output', '-D', '--dump-header', '-c', '--cookie-jar', '--trace', '--trace-ascii', '--stderr')].filter((a) => !harmlessTarget(a.text));
  if (written.length > 0) verdicts.push(changesState(`${shown} writes the file ${written[0]!.text}`));
  if (has(p, '-O', '--remote-name', '--remote-name-all', '-J', '--remote-header-name')) verdicts.push(changesState(`${shown} saves the download to a file`));
  return combine(verdicts);
};

const WGET_VALUES = {
  short: 'OoaPtTUeiwQlARDIXB',
  long: ['output-document', 'output-file', 'append-output', 'directory-prefix', 'tries', 'timeout', 'user-agent', 'execute', 'input-file', 'wait', 'quota', 'level', 'accept', 'reject', 'domains', 'header', 'user', 'password', 'http-user', 'http-password', 'method', 'body-data', 'body-file', 'post-data', 'post-file', 'ca-certificate', 'certificate', 'private-key', 'save-cookies', 'load-cookies', 'base'],
};

const wget: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), WGET_VALUES);
  const shown = quote(c.display);
  const body = has(p, '--post-data', '--post-file', '--body-data', '--body-file');
  const method = values(p, '--method').at(-1)?.text ?? (body ? 'POST' : has(p, '--spider') ? 'HEAD' : 'GET');
  const verdicts: Verdict[] = [classifyHttp({ method, hasBody: body }, c.display)];
  const document = values(p, '-O', '--output-document').at(-1)?.text;
  if (!has(p, '--spider') && (document === undefined || !harmlessTarget(document))) verdicts.push(changesState(`${shown} saves the download to ${document ?? 'a file'}`));
  const logs = values(p, '-o', '--output-file', '-a', '--append-output', '--save-cookies').filter((a) => !harmlessTarget(a.text));
  if (logs.length > 0) verdicts.push(changesState(`${shown} writes the file ${logs[0]!.text}`));
  return combine(verdicts);
};

export const HTTP_CLIENTS: Record<string, ProgramClassifier> = { curl, wget };
