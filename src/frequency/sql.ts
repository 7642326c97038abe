/**
 * The DuckDB side of the frequency engine: one in-process database per job, limited to the
 * job's CPUs and memory and spilling to the job's own scratch folder beyond that. DuckDB does the
 * reading, grouping, sorting and merging; nothing here sorts or parses by hand.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface EngineLimits {
  threads: number;
  memoryMiB: number;
  /** Where DuckDB may spill (the job's TMPDIR). */
  tempDir: string;
}

/** A string literal for SQL: single quotes, embedded ones doubled. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted identifier (column names built from region names). */
export function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `[ 'a', 'b' ]`: a list of file names for read_csv / read_parquet. */
export function fileList(files: readonly string[]): string {
  return `[${files.map(literal).join(', ')}]`;
}

export async function openEngine(limits: EngineLimits): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(Math.max(1, limits.threads)),
    // DuckDB's own limit leaves room for Node and the allocator inside the job's allocation.
    memory_limit: `${Math.max(64, Math.floor(limits.memoryMiB * 0.6))}MB`,
    temp_directory: limits.tempDir,
    preserve_insertion_order: 'false',
  });
  return instance.connect();
}

/**
 * Hands the buffers DuckDB keeps for reuse back to the allocator. DuckDB's buffer manager holds
 * freed buffers up to `memory_limit`, so a process that runs many small queries in a row (the
 * reduce's windows) would otherwise grow to that limit; lowering it for a moment releases them.
 */
export async function releaseBuffers(connection: DuckDBConnection): Promise<void> {
  const reader = await connection.runAndReadAll("SELECT current_setting('memory_limit')");
  const limit = String(reader.getRows()[0]![0]);
  await connection.run("SET memory_limit = '1MB'");
  await connection.run(`SET memory_limit = ${literal(limit)}`);
}

export async function duckdbVersion(connection: DuckDBConnection): Promise<string> {
  const reader = await connection.runAndReadAll('SELECT version()');
  return String(reader.getRows()[0]?.[0] ?? 'unknown');
}
