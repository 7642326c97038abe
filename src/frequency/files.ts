/** The files the frequency engine's jobs leave (shared by the jobs' command lines and the engine). */

/** A batch partial's two additive tables. */
export const PARTIAL_FILES = {
  alleles: 'alleles.parquet',
  coverage: 'coverage.parquet',
} as const;

/** What the engine did in a job (counts, DuckDB's version, its peak memory). */
export const ENGINE_REPORT = 'engine.json';

/**
 * The all-sites AN track: each reduce leaves its shard's runs and coverage counts beside its
 * VCF; the gather joins them into the release's bgzipped, tabix-indexed track and its summary.
 */
export const AN_TRACK_FILES = {
  /** A shard's runs: `chrom start end AN AN_<region>…`, no header. */
  shardRuns: 'an.runs.tsv',
  /** A shard's `bases well-covered-bases`. */
  shardCoverage: 'an.coverage.tsv',
  track: 'an.tsv.gz',
  index: 'an.tsv.gz.tbi',
  /** The release's `bases well-covered-bases`, summed over the shards. */
  coverage: 'an-coverage.tsv',
} as const;
