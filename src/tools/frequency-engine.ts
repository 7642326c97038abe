/**
 * Command lines of the frequency engine's jobs (pure): a batch partial and a shard's reduce,
 * both run by `bin/harmonise-engine.js` (DuckDB in one process, limited to the job's CPUs and
 * memory), and the bgzip/index of a shard's VCF with htslib.
 */
import type { JobResources, PipelineSpec } from '../domain/pipeline.ts';
import { FREQUENCY_OUTPUTS } from '../domain/shards.ts';
import { AN_TRACK_FILES, ENGINE_REPORT, PARTIAL_FILES } from '../frequency/files.ts';
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

type SexChromosomes = NonNullable<PipelineSpec['sexChromosomes']>;

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

/**
 * One shard of a release: the batches' partials summed into a bgzipped, indexed VCF, and the
 * shard's runs of the AN track with its coverage counts (AN_TRACK_FILES) beside it.
 */
export function reduceShardCommands(args: {
  engine: EngineCommand;
  partials: string;
  contigs: string;
  /** `karyotype<TAB>samples` of the release's samples. */
  karyotypes: string;
  reference: string;
  shard: { name: string; region: string };
  regions: readonly string[];
  tags: readonly string[];
  /** The spec has a quality rule: raw counts beside the adj ones. */
  raw: boolean;
  sexChromosomes: SexChromosomes | null;
  resources: JobResources;
}): StepCommands {
  const { vcf, tbi } = FREQUENCY_OUTPUTS;
  const { shardRuns, shardCoverage } = AN_TRACK_FILES;
  const prefix = 'frequencies.vcf';
  const sex = args.sexChromosomes;
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
        '--track',
        tmpName(shardRuns),
        '--track-coverage',
        tmpName(shardCoverage),
        '--karyotypes',
        args.karyotypes,
        ...(args.raw ? ['--raw'] : []),
        ...(sex
          ? [
              '--sex-chromosomes',
              `${sex.x},${sex.y}`,
              ...(sex.par.length > 0
                ? ['--par', sex.par.map((p) => `${p.chrom}:${p.start}-${p.end}`).join(',')]
                : []),
            ]
          : []),
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
    rename(tmpName(shardRuns), shardRuns),
    rename(tmpName(shardCoverage), shardCoverage),
    rename(tmpName(tbi), tbi),
    rename(tmpName(vcf), vcf),
  ];
  return { tools: ['bcftools', 'htslib'], lines };
}

/** Joins runs of equal counts that meet (across windows and shards); prints the header first. */
const JOIN_RUNS_AWK = [
  'BEGIN { FS = OFS = "\\t"; print header }',
  'function flush() { if (c != "") print c, s, e, v }',
  '{ rest = $4; for (i = 5; i <= NF; i++) rest = rest OFS $i',
  '  if ($1 == c && $2 == e + 1 && rest == v) { e = $3; next }',
  '  flush(); c = $1; s = $2; e = $3; v = rest }',
  'END { flush() }',
].join('\n');

/**
 * The release's AN track from the shards' runs (given in genome order, each beside its shard's
 * VCF): joined, bgzipped and indexed with tabix, and the shards' coverage counts summed.
 */
export function gatherTrackLines(args: {
  shardDirs: readonly string[];
  regions: readonly string[];
}): ScriptLine[] {
  const { shardRuns, shardCoverage, track, index, coverage } = AN_TRACK_FILES;
  const header = ['#chrom', 'start', 'end', 'AN', ...args.regions.map((r) => `AN_${r}`)].join('\t');
  const inShards = (name: string) => args.shardDirs.map((dir) => `${dir}/${name}`);
  return [
    run(
      [
        ['awk', '-v', `header=${header}`, JOIN_RUNS_AWK, ...inShards(shardRuns)],
        ['bgzip', '-c'],
      ],
      tmpName(track),
    ),
    run([['tabix', '-f', '-s', '1', '-b', '2', '-e', '3', tmpName(track)]]),
    run(
      [
        [
          'awk',
          'BEGIN { FS = OFS = "\\t" } { b += $1; w += $2 } END { print b + 0, w + 0 }',
          ...inShards(shardCoverage),
        ],
      ],
      tmpName(coverage),
    ),
    rename(`${tmpName(track)}.tbi`, index),
    rename(tmpName(track), track),
    rename(tmpName(coverage), coverage),
  ];
}
