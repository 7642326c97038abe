/**
 * A batch partial: what one batch of genomes adds to every genomic shard, summed, from the
 * members' contributions. Two Parquet tables, both additive (a release sums them over batches):
 *
 * - `alleles.parquet`: per shard, allele, region and karyotype: AC, AC_Hom, AC_Het, hom-alt
 *   genotypes and hemizygous AC (alt alleles in haploid genotypes), each over every counted
 *   genotype (`ac`, …) and over the adj ones (`ac_adj`, …), and the allele's anchor (where its AN
 *   is read);
 * - `coverage.parquet`: per shard, position, region and karyotype, the change in AN and NS there,
 *   raw (`d_an`, `d_ns`) and adj (`d_an_adj`, `d_ns_adj`). AN at P is the sum of the changes at
 *   or before P in P's shard. A shard's changes cover it and
 *   COVERAGE_MARGIN bases on either side, so an allele whose normalised POS left its caller's
 *   record by up to that much still finds its AN.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PARTIAL_FILES } from './files.ts';
import { fileList, literal } from './sql.ts';

export { PARTIAL_FILES };

export const COVERAGE_MARGIN = 1000;

/**
 * Rows per Parquet row group. Rows are in shard and position order, so a reduce window's
 * position filter skips every row group outside it by the row groups' min/max statistics.
 */
const ROW_GROUP_ROWS = 4096;

const MEMBER_COLUMNS =
  "{'sample': 'VARCHAR', 'region': 'VARCHAR', 'alleles': 'VARCHAR', 'called': 'VARCHAR', 'karyotype': 'VARCHAR'}";
const SHARD_COLUMNS =
  "{'shard': 'VARCHAR', 'chrom': 'VARCHAR', 'start': 'BIGINT', 'stop': 'BIGINT'}";
const ALLELE_COLUMNS =
  "{'chrom': 'VARCHAR', 'pos': 'BIGINT', 'ref': 'VARCHAR', 'alt': 'VARCHAR', 'anchor': 'BIGINT', 'dosage': 'INTEGER', 'called': 'INTEGER', 'adj': 'INTEGER'}";
const CALLED_COLUMNS =
  "{'chrom': 'VARCHAR', 'start': 'BIGINT', 'stop': 'BIGINT', 'alleles': 'INTEGER', 'adj': 'INTEGER'}";

/** The allele table's sums: raw over every counted genotype, `_adj` over the adj ones. */
const ALLELE_SUMS: readonly [string, string][] = [
  ['ac', 'dosage'],
  ['ac_hom', 'hom'],
  ['ac_het', 'het'],
  ['n_hom', 'homalt'],
  ['ac_hemi', 'hemi'],
  ['ac_adj', 'dosage * adj'],
  ['ac_hom_adj', 'hom * adj'],
  ['ac_het_adj', 'het * adj'],
  ['n_hom_adj', 'homalt * adj'],
  ['ac_hemi_adj', 'hemi * adj'],
];

/** read_csv options for the tab-separated files harmonise writes (no quoting, no header). */
function tsv(columns: string, extra = ''): string {
  return `delim = '\t', header = false, quote = '', escape = '', auto_detect = false, columns = ${columns}${extra}`;
}

export async function buildPartial(
  db: DuckDBConnection,
  args: { membersTsv: string; shardsTsv: string; outDir: string },
): Promise<{ members: number; alleleRows: number; coverageRows: number }> {
  await db.run(
    `CREATE TEMP TABLE members AS SELECT * FROM read_csv(${literal(args.membersTsv)}, ${tsv(MEMBER_COLUMNS)})`,
  );
  await db.run(
    `CREATE TEMP TABLE shards AS SELECT * FROM read_csv(${literal(args.shardsTsv)}, ${tsv(SHARD_COLUMNS)})`,
  );
  const members = (await db.runAndReadAll('SELECT alleles, called FROM members')).getRows();
  if (members.length === 0) throw new Error(`${args.membersTsv} lists no members`);
  const alleleFiles = members.map((row) => String(row[0]));
  const calledFiles = members.map((row) => String(row[1]));
  const out = (name: string) => literal(`${args.outDir}/${name}`);

  await db.run(`
    COPY (
      WITH counted AS (
        SELECT a.*,
               CASE WHEN a.dosage = a.called AND a.called >= 2 THEN a.dosage ELSE 0 END AS hom,
               CASE WHEN a.dosage < a.called THEN a.dosage ELSE 0 END AS het,
               CASE WHEN a.called = 1 THEN a.dosage ELSE 0 END AS hemi,
               (a.dosage = a.called AND a.called >= 2)::INTEGER AS homalt
        FROM read_csv(${fileList(alleleFiles)}, ${tsv(ALLELE_COLUMNS, ', filename = true')}) a
      )
      SELECT s.shard, a.chrom, a.pos, a.ref, a.alt, m.region, m.karyotype,
             min(a.anchor) AS anchor,
             ${ALLELE_SUMS.map(([name, expr]) => `sum(${expr})::BIGINT AS ${name}`).join(', ')}
      FROM counted a
      JOIN members m ON a.filename = m.alleles
      JOIN shards s ON a.chrom = s.chrom AND a.pos BETWEEN s.start AND s.stop
      GROUP BY ALL
      ORDER BY s.shard, a.pos, a.ref, a.alt, m.region, m.karyotype
    ) TO ${out(PARTIAL_FILES.alleles)} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);

  await db.run(`
    COPY (
      WITH clipped AS (
        SELECT s.shard, c.chrom, m.region, m.karyotype, c.alleles, c.adj,
               greatest(c.start, s.start - ${COVERAGE_MARGIN}) AS a,
               least(c.stop, s.stop + ${COVERAGE_MARGIN}) AS b
        FROM read_csv(${fileList(calledFiles)}, ${tsv(CALLED_COLUMNS, ', filename = true')}) c
        JOIN members m ON c.filename = m.called
        JOIN shards s ON c.chrom = s.chrom
          AND c.start <= s.stop + ${COVERAGE_MARGIN} AND c.stop >= s.start - ${COVERAGE_MARGIN}
      ),
      changes AS (
        SELECT shard, chrom, region, karyotype, a AS pos, alleles AS d_an, 1 AS d_ns,
               alleles * adj AS d_an_adj, adj AS d_ns_adj FROM clipped
        UNION ALL
        SELECT shard, chrom, region, karyotype, b + 1 AS pos, -alleles, -1, -alleles * adj, -adj
        FROM clipped
      )
      SELECT shard, chrom, pos, region, karyotype,
             sum(d_an)::BIGINT AS d_an, sum(d_ns)::BIGINT AS d_ns,
             sum(d_an_adj)::BIGINT AS d_an_adj, sum(d_ns_adj)::BIGINT AS d_ns_adj
      FROM changes
      GROUP BY ALL
      HAVING sum(d_an) <> 0 OR sum(d_ns) <> 0 OR sum(d_an_adj) <> 0 OR sum(d_ns_adj) <> 0
      ORDER BY shard, pos, region, karyotype
    ) TO ${out(PARTIAL_FILES.coverage)} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);

  const count = async (name: string) =>
    Number(
      (await db.runAndReadAll(`SELECT count(*) FROM read_parquet(${out(name)})`)).getRows()[0]![0],
    );
  return {
    members: members.length,
    alleleRows: await count(PARTIAL_FILES.alleles),
    coverageRows: await count(PARTIAL_FILES.coverage),
  };
}
