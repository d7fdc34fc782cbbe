#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), or the compiled build when present.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let mod;
if (process.env.PATRON_USE_SOURCES !== '1' && existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../src/cli/main.ts');
}
const code = await mod.main(process.argv.slice(2));
process.exitCode = code;
