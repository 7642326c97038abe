#!/usr/bin/env node
// The frequency engine a frequency job runs (partial, reduce): DuckDB in this process, limited
// to the job's CPUs and memory. Like bin/harmonise.js it runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/frequency/engine-cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `harmonise-engine: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
