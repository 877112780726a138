#!/usr/bin/env node
// `route-metrics` executable (package.json "bin"): registers tsx so the TypeScript sources run
// as they are, then starts cli/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
