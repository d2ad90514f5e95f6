#!/usr/bin/env node
// `npx wfm-bridge ...`: runs the TypeScript CLI through tsx (the project ships no build step).
require('tsx/cjs/api').register();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('./main.ts').buildProgram().parseAsync(process.argv);
