/** The files the frequency engine's jobs leave (shared by the jobs' command lines and the engine). */

/** A batch partial's two additive tables. */
export const PARTIAL_FILES = {
  alleles: 'alleles.parquet',
  coverage: 'coverage.parquet',
} as const;

/** What the engine did in a job (counts, DuckDB's version, its peak memory). */
export const ENGINE_REPORT = 'engine.json';
