// Lint rules, including the dependency direction of DESIGN section 3:
//   functions -> shared; infra -> shared (never functions); local/cli/bench/test may use anything;
//   shared never imports functions, infra, local or cli; shared/domain is pure (no AWS SDK, no HTTP, no clock module).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noUpward = (from, banned) => ({
  files: [`${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((dir) => ({
          group: [`**/${dir}/*`, `**/${dir}`],
          message: `${from}/ must not import ${dir}/ (DESIGN section 3: dependency direction).`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
  },
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'coverage/', 'bench/results/', 'cli/bin.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // CloudFormation templates are untyped JSON; the infra tests read them as such.
    files: ['test/infra/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  noUpward('infra', ['functions', 'local', 'cli']),
  noUpward('functions', ['infra', 'local', 'cli']),
  noUpward('shared', ['functions', 'infra', 'local', 'cli']),
  {
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'aws-sdk', '@aws-lambda-powertools/*'],
              message: 'shared/domain is pure: no AWS SDK.',
            },
            {
              group: ['**/adapters/*', '**/http/*', '**/functions/*', '**/infra/*', '**/local/*'],
              message: 'shared/domain is pure: depend on ports, not adapters or HTTP.',
            },
            {
              group: ['node:http', 'node:https', 'http', 'https', 'undici', 'node:timers*'],
              message: 'shared/domain is pure: no HTTP and no clock; take time as a value or a port.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'shared/domain takes time as a value: no new Date() without arguments.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'shared/domain takes time as a value: no Date.now().',
        },
      ],
    },
  },
);
