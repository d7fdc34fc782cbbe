#!/usr/bin/env node
// Runs the TypeScript sources through tsx; with PATRON_DIST=1, the compiled build
// from `npm run build` (dist/) instead.
const useDist = process.env.PATRON_DIST === '1';
let mod;
if (useDist) {
  mod = await import(new URL('../dist/cli/main.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../src/cli/main.ts');
}
process.exitCode = await mod.main(process.argv.slice(2));
