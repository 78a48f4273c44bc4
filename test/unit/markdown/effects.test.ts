import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { importAndLoad } from './helpers.js';

/** A one-step scenario whose step runs `script` in a fence tagged `lang`. */
const doc = (script: string, lang = 'bash') => `# Plan\n\n## Scenario: Test\n\n1. **Run it** (5 minutes)\n   \`\`\`${lang}\n   ${script}\n   \`\`\`\n`;

describe('imported steps take their effect from the classifier', () => {
  // [script, what the summary says, destructive: true in the YAML, an approval gate before it]
  const cases: Array<[string, string, boolean, boolean]> = [
    ['kubectl get pods -n orders', 'read only', false, false],
    ['psql "$DB_URL" -c "SELECT count(*) FROM users;"', 'read only', false, false],
    ['psql "$DB_URL" -c "SELECT 1; DROP TABLE users;"', 'destructive', true, true],
    ['env rm -rf /data', 'destructive', true, true],
    ['curl --request=DELETE https://api.example.com/v1/cache', 'destructive', true, true],
    ['curl -d@payload.json https://api.example.com/v1/jobs', 'changes state', false, true],
    ['docker-compose restart', 'changes state', false, true],
    ['./scripts/health-check-all.sh', 'changes state', false, true],
  ];
  for (const [script, said, destructive, gated] of cases) {
    test(script, () => {
      const { result, runbooks, lines } = importAndLoad(doc(script), { file: 'plan.md' });
      const rb = runbooks.get('test')!;
      const step = rb.steps.find((s) => s.id === 'run-it')!;
      assert.equal(step.destructive, destructive);
      assert.match(result.runbooks[0]!.yaml, said === 'changes state' ? /\n {4}effect: changes-state\n/ : /^(?![\s\S]*effect: changes-state)/);
      assert.equal(rb.steps[0]!.action.kind === 'approval', gated);
      assert.ok(lines('mapped').some((l) => l.startsWith(`5 step "Run it" (5 minutes) → shell (${said}) step run-it`)), lines('mapped').join('\n'));
      // Imported runbooks start with nothing marked safe to rehearse.
      assert.doesNotMatch(result.runbooks[0]!.yaml, /safeToRehearse/);
    });
  }

  test('a state change is explained in the YAML with the classifier\'s reason', () => {
    const { result } = importAndLoad(doc('env rm -rf /data'), { file: 'plan.md' });
    assert.match(result.runbooks[0]!.yaml, /# plan\.md:5\n {2}# destructive: `env rm -rf \/data` deletes files\n/);
  });

  test('an untagged fence of prose is a manual step; an untagged fence of commands is shell', () => {
    const prose = importAndLoad(doc('Hi team, the database is back. Next update at 14:00 UTC.', ''), { file: 'plan.md' });
    assert.equal(prose.runbooks.get('test')!.steps[0]!.action.kind, 'manual');
    const commands = importAndLoad(doc('kubectl -n orders rollout restart deployment/api', ''), { file: 'plan.md' });
    assert.equal(commands.runbooks.get('test')!.steps.at(-1)!.action.kind, 'shell');
    const text = importAndLoad(doc('rm -rf /data', 'text'), { file: 'plan.md' });
    assert.equal(text.runbooks.get('test')!.steps[0]!.action.kind, 'manual');
  });
});
