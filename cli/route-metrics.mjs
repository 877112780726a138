#!/usr/bin/env node
// `route-metrics` executable (package.json "bin"). In a checkout the TypeScript sources sit next
// to this file: tsx (a devDependency) is registered and cli/main.ts runs as it is, so an edit
// needs no build step. The npm package ships no sources but the JavaScript `prepack` compiled
// into dist/, which needs nothing beyond the package's runtime dependencies.
import { existsSync } from 'node:fs';

// `route-metrics … | head`: a reader that goes away is the end of the output, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

if (existsSync(new URL('./main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
} else {
  await import('../dist/cli/main.js');
}
