/**
 * The national pipeline spec, v1 (docs/schemas/README.md): a versioned JSON file in `pipelines/`
 * that pins the reference (every sequence's MD5), the tools' arguments, each step's resources and
 * the caps on retries. A sample's provenance names the spec version and its checksum.
 */
import { z } from 'zod';
import { ID_RULES } from './id-rules.ts';

export const PIPELINE_SCHEMA = 'harmonise.pipeline/v1';

export const PIPELINE_VERSION_PATTERN = ID_RULES.pipelineVersion.pattern;

export const resourcesSchema = z.strictObject({
  cpus: z.number().int().min(1).max(256),
  memMiB: z.number().int().min(16),
  timeMinutes: z.number().int().min(1),
});
export type JobResources = z.infer<typeof resourcesSchema>;

export const referenceSequenceSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.:*+-]+$/),
  length: z.number().int().positive(),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
});
export type ReferenceSequence = z.infer<typeof referenceSequenceSchema>;

const argsSchema = z.array(z.string().max(256)).max(64);

export const STEP_NAMES = [
  'adopt',
  'align',
  'markdup',
  'karyotype',
  'call',
  'frequency',
  'probe',
  /** A rerun's look at the tool versions the cluster reports, before it reuses any step. */
  'versions',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/**
 * Jobs of a frequency release: contributions of genomes that have none yet (`contrib-0001`...),
 * one partial per batch that changed (`batch-000001`...), one reduce per genomic shard
 * (`shard-0001`...), then the gather.
 */
export type ReleaseStepName =
  `contrib-${string}` | `batch-${string}` | `shard-${string}` | 'gather';
/** Any step that runs as one job. */
export type JobStepName = StepName | ReleaseStepName;

export const pipelineSpecSchema = z
  .strictObject({
    schema: z.literal(PIPELINE_SCHEMA),
    /** National versions are numeric (`1`, `2.1`); others (such as `noop`) are never the default. */
    version: z.string().regex(PIPELINE_VERSION_PATTERN),
    name: z.string().min(1),
    description: z.string().optional(),
    reference: z.strictObject({
      name: z.string().min(1),
      /** FASTA path, relative to the data root (or absolute); .fai, .dict and the bwa index beside it. */
      fasta: z.string().min(1),
      sequences: z.array(referenceSequenceSchema).min(1),
    }),
    aligner: z.strictObject({
      short: z.strictObject({ tool: z.literal('bwa'), args: argsSchema }),
      long: z.strictObject({
        tool: z.literal('minimap2'),
        preset: z.enum(['map-hifi', 'map-ont']),
        args: argsSchema,
      }),
    }),
    markdup: z.strictObject({ args: argsSchema }),
    caller: z.strictObject({
      tool: z.literal('bcftools'),
      mpileupArgs: argsSchema,
      /** mpileup arguments for long reads (for example the `-X pacbio-ccs` preset). */
      longReadMpileupArgs: argsSchema,
      callArgs: argsSchema,
    }),
    /** What mode `partial` accepts from a region as already harmonised. */
    partial: z.strictObject({
      /** @PG program names (PN, else ID) of aligners whose CRAMs are kept. */
      approvedAligners: z.array(z.string().min(1)).min(1),
    }),
    /**
     * The reference's sex chromosomes and their pseudo-autosomal regions (1-based, inclusive).
     * With them, each sample's karyotype is stated or measured, the caller gets its ploidy, and a
     * release counts XY samples once on non-PAR X and Y and XX samples not at all on Y. Without
     * them (pipeline 1) every sequence is diploid in every sample.
     */
    sexChromosomes: z
      .strictObject({
        x: z.string().min(1),
        y: z.string().min(1),
        par: z.array(
          z.strictObject({
            chrom: z.string().min(1),
            start: z.number().int().min(1),
            end: z.number().int().min(1),
          }),
        ),
      })
      .optional(),
    /**
     * Which genotypes the headline counts keep (gnomAD's "adj"); the raw counts keep every called
     * genotype. Reference blocks are judged by their minimum depth (bcftools writes no GQ on them).
     * Without it (pipeline 1) the headline counts are the raw ones and no raw counts are written.
     */
    quality: z
      .strictObject({
        minGQ: z.number().int().min(0),
        minDP: z.number().int().min(0),
        minDPHaploid: z.number().int().min(0),
        /** A het genotype's alternate reads over its depth, for each alternate allele it carries. */
        minHetAlleleBalance: z.number().min(0).max(1),
      })
      .optional(),
    frequency: z.strictObject({
      /** `bcftools +fill-tags -t` tags, computed overall and per region. */
      tags: z.array(z.enum(['AC', 'AN', 'AF', 'AC_Hom', 'AC_Het', 'NS'])).min(1),
    }),
    steps: z.strictObject({
      adopt: resourcesSchema,
      align: resourcesSchema,
      markdup: resourcesSchema,
      /** Measuring the depth on the sex chromosomes (a pipeline with `sexChromosomes` needs it). */
      karyotype: resourcesSchema.optional(),
      call: resourcesSchema,
      frequency: resourcesSchema,
    }),
    /**
     * A benchmark pipeline: the same workflows, activities and executor, but every job only
     * sleeps this long and nothing is published (for measuring orchestration, never for data).
     */
    noop: z.strictObject({ sleepSeconds: z.number().int().min(0).max(3600) }).optional(),
    retry: z.strictObject({
      maxAttempts: z.number().int().min(1).max(10),
      maxMemMiB: z.number().int().min(16),
      maxTimeMinutes: z.number().int().min(1),
    }),
  })
  .superRefine((spec, ctx) => {
    const sex = spec.sexChromosomes;
    if (!sex) return;
    const lengths = new Map(spec.reference.sequences.map((s) => [s.name, s.length]));
    for (const [key, name] of [
      ['x', sex.x],
      ['y', sex.y],
    ] as const) {
      if (!lengths.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['sexChromosomes', key],
          message: `${name} is not a sequence of the reference`,
        });
    }
    sex.par.forEach((par, i) => {
      const length = lengths.get(par.chrom);
      if (
        (par.chrom !== sex.x && par.chrom !== sex.y) ||
        length === undefined ||
        par.end < par.start ||
        par.end > length
      )
        ctx.addIssue({
          code: 'custom',
          path: ['sexChromosomes', 'par', i],
          message: `${par.chrom}:${par.start}-${par.end} is not a stretch of ${sex.x} or ${sex.y}`,
        });
    });
    if (!spec.steps.karyotype)
      ctx.addIssue({
        code: 'custom',
        path: ['steps', 'karyotype'],
        message: 'a pipeline that names sex chromosomes needs the resources of its karyotype step',
      });
  });
export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
export type RetryCaps = PipelineSpec['retry'];
