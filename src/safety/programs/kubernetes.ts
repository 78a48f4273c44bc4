// kubectl (and oc) by verb, `kubectl exec` by the command it runs in the pod; helm by verb.
import { changesState, destructive, readOnly, unproven } from '../../runbook/effect.js';
import { has, parseOptions, values, words } from '../options.js';
import type { ProgramClassifier } from '../types.js';
import { quote, subCommand, verbChanges } from '../types.js';

const KUBECTL_VALUES = {
  short: 'nslcfopL',
  long: ['namespace', 'context', 'kubeconfig', 'cluster', 'user', 'token', 'server', 'as', 'as-group', 'request-timeout', 'selector', 'container', 'filename', 'output', 'sort-by', 'field-selector', 'since', 'tail', 'timeout', 'grace-period', 'type', 'patch', 'image', 'for', 'replicas', 'template', 'label-columns', 'since-time', 'pod-running-timeout', 'subresource'],
};

const KUBECTL_READ = new Set(['get', 'describe', 'logs', 'top', 'explain', 'version', 'cluster-info', 'api-resources', 'api-versions', 'wait', 'diff', 'events', 'port-forward', 'proxy', 'completion', 'plugin', 'kustomize']);
const KUBECTL_DESTROY: Record<string, string> = { delete: 'deletes resources', drain: 'evicts every pod from a node' };

const kubectl: ProgramClassifier = (c, classify) => {
  const args = c.args.slice(1);
  const dash = args.findIndex((a) => a.text === '--');
  const p = parseOptions(dash < 0 ? args : args.slice(0, dash), KUBECTL_VALUES);
  const w = words(p);
  const [verb = '', sub = ''] = w;
  const shown = quote(c.display);
  if (verb === 'exec') {
    // `kubectl exec POD -- CMD...`; the old form without `--` puts the command after the pod.
    const inner = dash >= 0 ? args.slice(dash + 1) : p.positionals.slice(2);
    if (inner.length === 0) return unproven(`${shown}: no command to see`);
    return classify.command(subCommand(c, inner));
  }
  if (KUBECTL_READ.has(verb)) return readOnly(`${shown} only reads`);
  const dryRun = p.options.find((o) => o.name === '--dry-run');
  if (dryRun && dryRun.value?.text !== 'none') return readOnly(`${shown} is a dry run`);
  if (verb === 'config') return ['view', 'get-contexts', 'current-context', 'get-clusters', 'get-users'].includes(sub) ? readOnly(`${shown} only reads the kubeconfig`) : changesState(`${shown} changes the kubeconfig`);
  if (verb === 'auth') return ['can-i', 'whoami'].includes(sub) ? readOnly(`${shown} only checks permissions`) : changesState(`${shown} changes RBAC`);
  if (verb === 'rollout') {
    if (['status', 'history'].includes(sub)) return readOnly(`${shown} only reads the rollout`);
    return verbChanges(shown, sub, 'changes a rollout');
  }
  if (KUBECTL_DESTROY[verb]) return destructive(`${shown} ${KUBECTL_DESTROY[verb]}`);
  if (verb === 'scale') {
    const replicas = values(p, '--replicas')[0]?.text;
    if (replicas === '0') return destructive(`${shown} stops every replica`);
    if (replicas === undefined || !/^\d+$/.test(replicas)) return { effect: 'destructive', proven: false, reasons: [`${shown}: the replica count is only known at run time (0 stops every replica)`] };
    return changesState(`${shown} changes the number of replicas`);
  }
  if (verb === 'apply' && p.options.some((o) => o.name === '--prune')) return destructive(`${shown} deletes resources missing from the manifests (--prune)`);
  if (verb === 'replace' && has(p, '--force')) return destructive(`${shown} deletes and recreates resources`);
  if (verb === '') return unproven(`${shown}: no kubectl verb`);
  return verbChanges(shown, verb, 'changes the cluster');
};

const HELM_READ = new Set(['list', 'ls', 'status', 'get', 'history', 'show', 'inspect', 'template', 'version', 'search', 'lint', 'env', 'verify', 'diff']);

const helm: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'nf', long: ['namespace', 'kube-context', 'kubeconfig', 'values', 'set', 'version', 'output', 'timeout', 'repo'] });
  const [verb = '', sub = ''] = words(p);
  const shown = quote(c.display);
  if (HELM_READ.has(verb) || (verb === 'repo' && sub === 'list') || has(p, '--dry-run')) return readOnly(`${shown} only reads`);
  if (verb === 'uninstall' || verb === 'delete' || verb === 'del' || verb === 'un') return destructive(`${shown} uninstalls a release`);
  return verbChanges(shown, verb, 'changes releases');
};

export const KUBERNETES: Record<string, ProgramClassifier> = { kubectl, oc: kubectl, k: kubectl, helm };
