// docker, podman and docker compose by verb; `docker exec` by the command it runs in the container.
import { changesState, combine, destructive, readOnly, unproven } from '../../runbook/effect.js';
import { parseOptions, words } from '../options.js';
import type { Command, Classifiers, ProgramClassifier } from '../types.js';
import { quote, subCommand, verbChanges } from '../types.js';

const GLOBAL = { short: 'Hcl', long: ['host', 'context', 'config', 'log-level'], stopAtPositional: true };
const COMPOSE_GLOBAL = { short: 'fp', long: ['file', 'project-name', 'env-file', 'profile', 'project-directory', 'ansi', 'parallel'], stopAtPositional: true };
const RUN_VALUES = {
  short: 'aceEhlmpuvw',
  long: ['add-host', 'attach', 'cap-add', 'cap-drop', 'cidfile', 'cpus', 'cpu-shares', 'device', 'dns', 'entrypoint', 'env', 'env-file', 'expose', 'gpus', 'group-add', 'health-cmd', 'hostname', 'ipc', 'label', 'log-driver', 'log-opt', 'memory', 'mount', 'name', 'network', 'pid', 'platform', 'publish', 'pull', 'restart', 'runtime', 'security-opt', 'shm-size', 'stop-signal', 'stop-timeout', 'tmpfs', 'ulimit', 'user', 'volume', 'volumes-from', 'workdir'],
  stopAtPositional: true,
};
const EXEC_VALUES = { short: 'euw', long: ['env', 'env-file', 'user', 'workdir', 'detach-keys', 'index'], stopAtPositional: true };

const READ = new Set(['ps', 'logs', 'inspect', 'images', 'stats', 'top', 'version', 'info', 'events', 'history', 'port', 'diff', 'ls', 'config', 'search', 'list']);
const DESTROY: Record<string, string> = {
  stop: 'stops containers',
  kill: 'kills containers',
  rm: 'removes containers',
  rmi: 'removes images',
  down: 'stops and removes the services’ containers',
  prune: 'deletes unused data',
};
/** `docker container ls`, `docker volume rm`: management commands put the verb second. */
const MANAGEMENT = new Set(['container', 'image', 'volume', 'network', 'system', 'builder', 'buildx', 'plugin', 'secret', 'config', 'context', 'node', 'service', 'stack']);

function exec(c: Command, classify: Classifiers, rest: Command['args']): ReturnType<ProgramClassifier> {
  const p = parseOptions(rest, EXEC_VALUES);
  // The container (or compose service) comes first, then the command.
  const inner = p.positionals.slice(1);
  if (inner.length === 0) return unproven(`${quote(c.display)}: no command to see`);
  return classify.command(subCommand(c, inner));
}

function byVerb(c: Command, verb: string, sub: string, classify: Classifiers, rest: Command['args']): ReturnType<ProgramClassifier> {
  const shown = quote(c.display);
  if (verb === 'exec') return exec(c, classify, rest);
  if (verb === 'run') {
    // `docker run [options] IMAGE [COMMAND...]`: a new container, and what its command does.
    const inner = parseOptions(rest, RUN_VALUES).positionals.slice(1);
    const started = changesState(`${shown} starts a new container`);
    return inner.length > 0 ? combine([started, classify.command(subCommand(c, inner, undefined))]) : started;
  }
  if (MANAGEMENT.has(verb) && sub) {
    if (sub === 'rm' || sub === 'remove' || sub === 'prune' || sub === 'stop' || sub === 'kill') return destructive(`${shown} ${DESTROY[sub === 'remove' ? 'rm' : sub] ?? 'removes objects'}`);
    if (READ.has(sub) || sub === 'df' || sub === 'dial-stdio') return readOnly(`${shown} only reads`);
    return verbChanges(shown, sub, `changes ${verb}s`);
  }
  if (READ.has(verb)) return readOnly(`${shown} only reads`);
  if (DESTROY[verb]) return destructive(`${shown} ${DESTROY[verb]}`);
  if (verb === '') return unproven(`${shown}: no docker command`);
  return verbChanges(shown, verb, 'changes containers or images');
}

const compose = (c: Command, classify: Classifiers, rest: Command['args']): ReturnType<ProgramClassifier> => {
  const p = parseOptions(rest, COMPOSE_GLOBAL);
  const [verb, ...after] = p.positionals;
  if (verb?.text === 'exec' || verb?.text === 'run') {
    const inner = exec(c, classify, after);
    return verb.text === 'run' ? combine([changesState(`${quote(c.display)} starts a new container`), inner]) : inner;
  }
  return byVerb(c, verb?.text ?? '', '', classify, after);
};

const docker: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), GLOBAL);
  const [verb, ...rest] = p.positionals;
  if (verb?.text === 'compose') return compose(c, classify, rest);
  const sub = words(parseOptions(rest, { stopAtPositional: true }))[0] ?? '';
  return byVerb(c, verb?.text ?? '', MANAGEMENT.has(verb?.text ?? '') ? sub : '', classify, rest);
};

const dockerCompose: ProgramClassifier = (c, classify) => compose(c, classify, c.args.slice(1));

export const DOCKER: Record<string, ProgramClassifier> = { docker, podman: docker, 'docker-compose': dockerCompose, 'podman-compose': dockerCompose };
