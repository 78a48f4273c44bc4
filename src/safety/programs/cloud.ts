// Cloud and infrastructure CLIs by operation: aws, terraform, supabase, ansible.
import { changesState, destructive, readOnly, unproven } from '../../runbook/effect.js';
import { has, harmlessTarget, parseOptions, values, words } from '../options.js';
import type { ProgramClassifier } from '../types.js';
import { quote, verbChanges } from '../types.js';

const AWS_GLOBAL = { long: ['region', 'profile', 'output', 'endpoint-url', 'query', 'cli-read-timeout', 'cli-connect-timeout', 'color', 'ca-bundle', 'exclude', 'include', 'storage-class', 'sse', 'acl', 'cache-control', 'content-type', 'expires', 'grants'] };

const aws: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), AWS_GLOBAL);
  const [service = '', op = '', ...rest] = words(p);
  const shown = quote(c.display);
  if (service === 's3') {
    if (op === 'ls' || op === 'presign') return readOnly(`${shown} only reads`);
    if (op === 'rm' || op === 'rb') return destructive(`${shown} deletes S3 objects or buckets`);
    if (op === 'sync' && has(p, '--delete')) return destructive(`${shown} deletes objects missing from the source (--delete)`);
    if (op === 'cp' && rest[0]?.startsWith('s3://') && rest[1] === '-') return readOnly(`${shown} only reads an object to stdout`);
    if (has(p, '--dryrun')) return readOnly(`${shown} is a dry run`);
    return changesState(`${shown} writes S3 objects or local files (\`s3 ${op}\`)`);
  }
  if (has(p, '--dry-run')) return readOnly(`${shown} is a dry run`);
  if (service === 'configure') return ['list', 'get', 'list-profiles'].includes(op) ? readOnly(`${shown} only reads`) : changesState(`${shown} changes the AWS CLI configuration`);
  if (service === 'logs' && op === 'tail') return readOnly(`${shown} only reads`);
  if (/^(describe|list|get|head|filter|search|lookup|batch-get|validate|simulate|estimate|scan|query)-?/.test(op) || op === 'wait' || op === 'scan' || op === 'query') {
    return readOnly(`${shown} only reads (\`${op}\`)`);
  }
  if (/^(delete|terminate|deregister|purge|stop|reboot|remove|revoke|disable|detach|disassociate|cancel)-/.test(op)) {
    return destructive(`${shown} ${op.split('-')[0]}s ${op.split('-').slice(1).join(' ') || 'resources'}`);
  }
  if (op === '') return unproven(`${shown}: no AWS operation`);
  return verbChanges(shown, `${service} ${op}`, 'changes AWS resources');
};

const TERRAFORM_READ = new Set(['plan', 'show', 'output', 'validate', 'version', 'providers', 'graph', 'fmt', 'console', 'workspace', 'get', 'metadata']);

const terraform: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { long: ['chdir', 'var', 'var-file', 'target'] });
  const [verb = '', sub = ''] = words(p);
  const shown = quote(c.display);
  if (verb === 'destroy' || (verb === 'apply' && has(p, '-destroy'))) return destructive(`${shown} destroys infrastructure`);
  if (verb === 'state') return ['list', 'show', 'pull'].includes(sub) ? readOnly(`${shown} only reads state`) : sub === 'rm' ? destructive(`${shown} removes resources from state`) : changesState(`${shown} changes state`);
  if (verb === 'workspace') return ['list', 'show', 'select'].includes(sub) ? readOnly(`${shown} only reads`) : sub === 'delete' ? destructive(`${shown} deletes a workspace`) : changesState(`${shown} creates a workspace`);
  if (verb === 'fmt' && !has(p, '-check')) return changesState(`${shown} rewrites files`);
  if (TERRAFORM_READ.has(verb)) return readOnly(`${shown} only reads`);
  return verbChanges(shown, verb, 'changes infrastructure');
};

const supabase: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'fo', long: ['file', 'project-ref', 'db-url', 'workdir', 'output'] });
  const [verb = '', sub = ''] = words(p);
  const shown = quote(c.display);
  if (verb === 'db' && sub === 'reset') return destructive(`${shown} drops and recreates the database`);
  if (verb === 'db' && sub === 'dump') {
    const out = values(p, '-f', '--file').filter((a) => !harmlessTarget(a.text));
    return out.length > 0 ? changesState(`${shown} writes ${out[0]!.text}`) : readOnly(`${shown} only reads`);
  }
  if (['status', '--version', 'help'].includes(verb) || ['list', 'diff', 'lint'].includes(sub) || (verb === 'migration' && sub === 'list')) return readOnly(`${shown} only reads`);
  if (sub === 'delete' || verb === 'stop') return destructive(`${shown} ${verb === 'stop' ? 'stops the local stack' : 'deletes resources'}`);
  return verbChanges(shown, `${verb} ${sub}`.trim(), 'changes the project');
};

const ANSIBLE_READ_MODULES = new Set(['ping', 'setup', 'stat', 'debug', 'service_facts', 'package_facts', 'wait_for', 'uri', 'slurp', 'find', 'command_info', 'assert']);

/** `ansible HOSTS -m MODULE -a ARGS`: shell/command modules run their argument as a script. */
const ansible: ProgramClassifier = (c, classify) => {
  const p = parseOptions(c.args.slice(1), { short: 'maiueflMBPtT', long: ['module-name', 'args', 'inventory', 'user', 'extra-vars', 'forks', 'limit', 'become-user', 'private-key'] });
  const shown = quote(c.display);
  const module = values(p, '-m', '--module-name')[0]?.text ?? 'command';
  const args = values(p, '-a', '--args')[0];
  if (has(p, '-C', '--check', '--list-hosts')) return readOnly(`${shown} is a check run`);
  if (['shell', 'command', 'ansible.builtin.shell', 'ansible.builtin.command', 'raw'].includes(module)) {
    return args ? classify.script(args.text) : unproven(`${shown}: no command to see`);
  }
  if (ANSIBLE_READ_MODULES.has(module.replace(/^ansible\.builtin\./, ''))) return readOnly(`${shown} only reads (module ${module})`);
  const state = /\bstate=(\w+)/.exec(args?.text ?? '')?.[1];
  if (state === 'absent' || state === 'stopped') return destructive(`${shown} ${state === 'absent' ? 'removes' : 'stops'} things (state=${state})`);
  return changesState(`${shown} runs module ${module}, which changes hosts`);
};

const ansiblePlaybook: ProgramClassifier = (c) => {
  const shown = quote(c.display);
  if (c.args.some((a) => ['--check', '-C', '--syntax-check', '--list-tasks', '--list-hosts', '--list-tags'].includes(a.text))) return readOnly(`${shown} is a check run`);
  return unproven(`${shown}: the playbook's tasks cannot be seen`);
};

/** gcloud and az: the verb is the first word that is one (`gcloud sql instances describe prod`). */
const READ_VERBS = new Set(['list', 'describe', 'show', 'get', 'get-iam-policy', 'exists', 'wait', 'version', 'info', 'list-backups', 'check-name-availability']);
const DESTROY_VERBS = new Set(['delete', 'remove', 'purge', 'stop', 'deallocate']);

const verbCli: ProgramClassifier = (c) => {
  const w = words(parseOptions(c.args.slice(1), { long: ['project', 'region', 'zone', 'format', 'resource-group', 'name', 'subscription', 'output', 'query', 'filter', 'configuration', 'account'] }));
  const shown = quote(c.display);
  const verb = w.find((word) => READ_VERBS.has(word) || DESTROY_VERBS.has(word));
  if (verb && DESTROY_VERBS.has(verb)) return destructive(`${shown} ${verb === 'stop' || verb === 'deallocate' ? 'stops' : 'deletes'} resources`);
  if (verb) return readOnly(`${shown} only reads`);
  return verbChanges(shown, w.slice(0, 3).join(' '), 'changes cloud resources');
};

export const CLOUD: Record<string, ProgramClassifier> = { gcloud: verbCli, az: verbCli, aws, terraform, tofu: terraform, supabase, ansible, 'ansible-playbook': ansiblePlaybook, 'ansible-inventory': (c) => readOnly(`${quote(c.display)} only reads`) };
