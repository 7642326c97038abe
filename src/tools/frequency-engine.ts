/**
 * Command lines of the frequency engine's jobs (pure): a batch partial and a shard's reduce,
 * both run by `bin/harmonise-engine.js` (DuckDB in one process, limited to the job's CPUs and
 * memory), and the bgzip/index of a shard's VCF with htslib.
 */
import type { JobResources } from '../domain/pipeline.ts';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import { ENGINE_REPORT, PARTIAL_FILES } from '../frequency/files.ts';
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

/** How a job starts the engine: the node binary and the launcher script. */
export interface EngineCommand {
  node: string;
  script: string;
}

export { ENGINE_REPORT };

function engine(cmd: EngineCommand, resources: JobResources, args: string[]): string[] {
  return [
    cmd.node,
    cmd.script,
    ...args,
    '--threads',
    String(resources.cpus),
    '--memory-mib',
    String(resources.memMiB),
  ];
}

/**
 * One batch's partial over all shards. `checksums` (sha256sum format) covers every member's
 * contribution files: a contribution changed on disk since it was derived fails the job.
 */
export function buildPartialCommands(args: {
  engine: EngineCommand;
  members: string;
  shards: string;
  checksums: string;
  resources: JobResources;
}): StepCommands {
  const staging = 'partial.tmp';
  const lines: ScriptLine[] = [
    run([['sha256sum', '--quiet', '--strict', '-c', args.checksums]]),
    run([
      engine(args.engine, args.resources, [
        'partial',
        '--members',
        args.members,
        '--shards',
        args.shards,
        '--out',
        staging,
      ]),
    ]),
    ...[...Object.values(PARTIAL_FILES), ENGINE_REPORT].map((name) =>
      rename(`${staging}/${name}`, name),
    ),
  ];
  return { tools: [], lines };
}

/** One shard of a release: the batches' partials summed into a bgzipped, indexed VCF. */
export function reduceShardCommands(args: {
  engine: EngineCommand;
  partials: string;
  contigs: string;
  reference: string;
  shard: { name: string; region: string };
  regions: readonly string[];
  tags: readonly string[];
  resources: JobResources;
}): StepCommands {
  const { vcf, tbi } = FREQUENCY_OUTPUTS;
  const prefix = 'frequencies.vcf';
  const lines: ScriptLine[] = [
    run([
      engine(args.engine, args.resources, [
        'reduce',
        '--partials',
        args.partials,
        '--shard',
        args.shard.name,
        '--range',
        args.shard.region,
        '--regions',
        args.regions.join(','),
        '--tags',
        args.tags.join(','),
        '--contigs',
        args.contigs,
        '--reference',
        args.reference,
        '--out',
        prefix,
      ]),
    ]),
    run(
      [
        ['cat', `${prefix}.header`, `${prefix}.body`],
        ['bgzip', '-c'],
      ],
      tmpName(vcf),
    ),
    run([['bcftools', 'index', '-t', '-o', tmpName(tbi), tmpName(vcf)]]),
    run([['rm', '-f', '--', `${prefix}.header`, `${prefix}.body`]]),
    rename(tmpName(tbi), tbi),
    rename(tmpName(vcf), vcf),
  ];
  return { tools: ['bcftools', 'htslib'], lines };
}
