// Entry point: node --import tsx src/demo/cli.ts <dataRoot> [--seed N]
// Prints the DemoLayout JSON to stdout; progress goes to stderr.
import { DEFAULT_SEED, generateDemo } from './generate.ts';

function parseArgs(argv: string[]): { dataRoot: string; seed: number } {
  let dataRoot: string | undefined;
  let seed = DEFAULT_SEED;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--seed' || arg.startsWith('--seed=')) {
      const value = arg === '--seed' ? argv[++i] : arg.slice('--seed='.length);
      seed = Number(value);
      if (!Number.isSafeInteger(seed)) throw new Error(`--seed needs an integer, got '${value}'`);
    } else if (!arg.startsWith('-') && dataRoot === undefined) {
      dataRoot = arg;
    } else {
      throw new Error(`unexpected argument '${arg}'`);
    }
  }
  if (dataRoot === undefined) throw new Error('usage: cli.ts <dataRoot> [--seed N]');
  return { dataRoot, seed };
}

try {
  const { dataRoot, seed } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const layout = await generateDemo({
    dataRoot,
    seed,
    log: (msg) => console.error(`demo: ${msg}`),
  });
  console.error(`demo: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(JSON.stringify(layout, null, 2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
