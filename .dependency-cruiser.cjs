/**
 * Import boundaries, checked in CI by `npm run check:boundaries` (scripts/check-boundaries.mjs):
 * no import circles between files, and feature folders use each other only through their
 * public entry. Circles between feature folders are found by the script on the same graph.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Two files that import each other (directly or through others) cannot be understood or loaded one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'feature-public-entry',
      comment: "A feature folder is used by others only through its public entry (index.ts); its other files are its own business.",
      severity: 'error',
      from: { path: '(^|/)src/modules/([^/]+)/' },
      to: { path: '(^|/)src/modules/[^/]+/', pathNot: ['(^|/)src/modules/$2/', '(^|/)src/modules/[^/]+/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/db/migrations/' },
  },
};
