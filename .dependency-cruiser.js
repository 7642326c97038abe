/**
 * Import cycles, type-only imports included: ESLint's import-x/no-cycle skips `import type`, and a
 * type-only cycle still ties two modules together. dependency-cruiser reads TypeScript's imports
 * before compilation (`tsPreCompilationDeps`), so it sees them. `npm run lint` runs it.
 */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Modules import in one direction; a shared type goes into a module of its own.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tools|var|test-artifacts)/' },
  },
};
