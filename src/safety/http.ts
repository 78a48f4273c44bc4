// HTTP requests: only a GET, HEAD or OPTIONS without a body is read-only.
import { changesState, destructive, readOnly, type Verdict } from '../runbook/effect.js';
import { quote } from './types.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request's effect from its method and whether it carries a body. */
export function classifyHttp(req: { method: string; hasBody: boolean }, shown?: string): Verdict {
  const method = req.method.trim().toUpperCase();
  const what = shown ? quote(shown) : `a \`${method}\` request`;
  if (method === 'DELETE') return destructive(`${what} sends an HTTP DELETE`);
  if (req.hasBody) return changesState(`${what} sends a body (HTTP ${method})`);
  if (READ_METHODS.has(method)) return readOnly(`${what} without a body only reads`);
  return changesState(`${what} sends an HTTP ${method || '(no method)'}`);
}
