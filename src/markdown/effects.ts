// Whether an imported step's commands change state: the effect classifier's verdict (src/safety),
// never the importer's own guess. One verdict per distinct script: a document repeats its commands,
// and the shell parser costs milliseconds per script.
import type { Verdict } from '../runbook/effect.js';
import { classifyScript } from '../safety/index.js';
import { parseShell } from '../safety/mvdan-sh.js';

export { loadParsers } from '../safety/index.js';

const verdicts = new Map<string, Verdict>();
const MAX_CACHED = 10_000;

/** The classifier's verdict on a step's script. Needs `await loadParsers()` first (SQL in `psql -c`). */
export function scriptEffect(script: string): Verdict {
  let verdict = verdicts.get(script);
  if (!verdict) {
    if (verdicts.size >= MAX_CACHED) verdicts.clear();
    verdicts.set(script, (verdict = classifyScript(script)));
  }
  return verdict;
}

/** True when bash would parse the text (an untagged fence is shell only then). */
export function parsesAsShell(text: string): boolean {
  try {
    parseShell(text);
    return true;
  } catch {
    return false;
  }
}
