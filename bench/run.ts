/**
 * `npm run bench -- <name> [options] [--json]`: runs one benchmark and prints its result; with
 * --json, stdout is exactly one JSON document. Benchmarks measure; tests never time anything.
 * The command line is checked (bench/options.ts) before a benchmark's module is even loaded: a
 * refused one exits 2 with the usage line; `--help` prints it.
 */
import { BenchUsageError, BENCH_USAGE, parseBenchCommand, type BenchCommand } from './options.ts';

function commandLine(): BenchCommand {
  try {
    return parseBenchCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}`);
    console.error(error.usage);
    process.exit(2);
  }
}

async function run(command: BenchCommand): Promise<Record<string, unknown>> {
  switch (command.name) {
    case 'slurm-overhead':
      return (await import('./slurm-overhead.ts')).runSlurmOverhead(command.options);
    case 'in-flight':
      return (await import('./jobs-in-flight.ts')).runJobsInFlight(command.options);
    case 'campaign':
      return (await import('./campaign.ts')).runCampaignBench(command.options);
    case 'frequency':
      return (await import('./frequency.ts')).runFrequencyBench(command.options);
    case 'lookup':
      return (await import('./lookup.ts')).runLookupBench(command.options);
    case 'reuse':
      return (await import('./reuse.ts')).runReuseBench(command.options);
  }
}

const command = commandLine();
if (command.help) {
  console.log(BENCH_USAGE[command.name]);
  process.exit(0);
}
const result = await run(command);
if (command.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else console.log(result);
// An interrupted benchmark measured nothing yet: its result only says how to resume it.
process.exit(result.interrupted === true ? 3 : 0);
