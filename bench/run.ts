/**
 * `npm run bench -- <name> [options] [--json]`: runs one benchmark and prints its result; with
 * --json, stdout is exactly one JSON document. Benchmarks measure; tests never time anything.
 */
import { runCampaignBench } from './campaign.ts';
import { runFrequencyBench } from './frequency.ts';
import { runSlurmOverhead } from './slurm-overhead.ts';

const benchmarks: Record<string, (args: string[]) => Promise<Record<string, unknown>>> = {
  'slurm-overhead': runSlurmOverhead,
  campaign: runCampaignBench,
  frequency: runFrequencyBench,
};

const [name, ...args] = process.argv.slice(2);
const bench = name ? benchmarks[name] : undefined;
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [--json]`);
  process.exit(2);
}
const json = args.includes('--json');
const result = await bench(args.filter((a) => a !== '--json'));
if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else console.log(result);
// An interrupted benchmark measured nothing yet: its result only says how to resume it.
process.exit(result.interrupted === true ? 3 : 0);
