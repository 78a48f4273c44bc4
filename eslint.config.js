// ESLint flat config. TypeScript files get typescript-eslint's recommended rules plus the cheap
// type-aware promise rules (a forgotten `await` on an activity, a signal or a client call is a real
// bug here). Workflow code gets the determinism fence the Temporal samples use: no Node built-ins, no
// I/O libraries, no activity implementations (type-only imports are fine: `import type`). The fence
// covers every module the workflow bundle takes in: src/workflows and the model it runs (src/runbook).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const WORKFLOW_MESSAGE =
  'Workflow code must be deterministic and is bundled without Node: do this in an activity ' +
  '(src/activities/) and call it through proxyActivities; `import type` is allowed.';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
/** Modules that do I/O or are not meant for the workflow sandbox. */
const workflowBannedModules = [
  ...nodeBuiltins,
  'pg',
  'execa',
  'uuid',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/testing',
];

export default tseslint.config(
  { ignores: ['node_modules/', '.state/', '.cache/', 'test-artifacts/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it/test return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'suite', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // A test reads the coordinates of the services `npm test` starts through test/helpers/services.ts,
    // which fails with the service's name and how to get it when the file's tier does not have it.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['test/helpers/services.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[object.object.name='process'][object.property.name='env'][property.name=/^(TEMPORAL_ADDRESS|TEMPORAL_CLI_PATH|DR_TEST_(SERVICES|PG_URL|S3_[A-Z_]+|REDIS_URL|KAFKA_BROKERS|TEMPORAL_UI_URL|CODEC_URL|CHROMIUM))$/]",
          message: 'Read the test services through test/helpers/services.ts (pgUrl(), temporalAddress(), ...): it says which service a file lacks and how to get it.',
        },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/runbook/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: workflowBannedModules.map((name) => ({ name, message: WORKFLOW_MESSAGE, allowTypeImports: true })),
          patterns: [
            { group: ['node:*'], message: WORKFLOW_MESSAGE, allowTypeImports: true },
            {
              group: ['**/activities', '**/activities/*', '!**/activities/types.js'],
              message: WORKFLOW_MESSAGE,
              allowTypeImports: true,
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No environment in workflow code: read configuration in an activity or pass it as input.' },
        { name: 'require', message: WORKFLOW_MESSAGE },
      ],
    },
  },
);
