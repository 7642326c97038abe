/**
 * The reduce of one genomic shard: the batches' partials summed (one input per batch, never
 * one per genome), AN and NS read from the summed coverage at each allele's anchor, and the
 * release's VCF records written in position order. Counts only: no genotype, no sample name.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PARTIAL_FILES } from './files.ts';
import { COVERAGE_MARGIN } from './partial.ts';
import type { ShardRange } from './shard-range.ts';
import { fileList, identifier, literal } from './sql.ts';

/** The count tags a release can carry (the pipeline spec picks), and the hom-alt person count. */
export const COUNT_TAGS = ['AC', 'AN', 'AF', 'AC_Hom', 'AC_Het', 'NS'] as const;
export const HOM_ALT_TAG = 'nhomalt';

/** One INFO entry `TAG=<value>` for the column set of one group (overall or a region). */
function infoEntries(tags: readonly string[], suffix: string, column: (name: string) => string) {
  const value: Record<string, string> = {
    AC: column('ac'),
    AN: column('an'),
    // bcftools prints AF with %g; an AN of 0 leaves the frequency unknown.
    AF: `CASE WHEN ${column('an')} > 0 THEN printf('%g', ${column('ac')} / ${column('an')}) ELSE '.' END`,
    AC_Hom: column('ac_hom'),
    AC_Het: column('ac_het'),
    NS: column('ns'),
    [HOM_ALT_TAG]: column('n_hom'),
  };
  return [...tags, HOM_ALT_TAG].map((tag) => `'${tag}${suffix}=' || ${value[tag]}`);
}

export async function reduceShard(
  db: DuckDBConnection,
  args: {
    partialDirs: readonly string[];
    shardName: string;
    range: ShardRange;
    regions: readonly string[];
    tags: readonly string[];
    bodyFile: string;
  },
): Promise<{ sites: number }> {
  if (args.partialDirs.length === 0) throw new Error('a reduce needs at least one partial');
  if (args.regions.length === 0) throw new Error('a reduce needs at least one region');
  const files = (name: string) => fileList(args.partialDirs.map((dir) => `${dir}/${name}`));
  const shard = literal(args.shardName);
  await db.run(
    `CREATE TEMP TABLE regions AS SELECT unnest([${args.regions.map(literal).join(', ')}]) AS region`,
  );
  await db.run(`
    CREATE TEMP TABLE al AS
    SELECT chrom, pos, ref, alt, region, min(anchor) AS anchor, sum(ac) AS ac,
           sum(ac_hom) AS ac_hom, sum(ac_het) AS ac_het, sum(n_hom) AS n_hom
    FROM read_parquet(${files(PARTIAL_FILES.alleles)}) WHERE shard = ${shard}
    GROUP BY ALL`);
  await db.run(`
    CREATE TEMP TABLE cov AS
    SELECT chrom, region, pos,
           sum(sum(d_an)) OVER w AS an, sum(sum(d_ns)) OVER w AS ns
    FROM read_parquet(${files(PARTIAL_FILES.coverage)}) WHERE shard = ${shard}
    GROUP BY chrom, region, pos
    WINDOW w AS (PARTITION BY chrom, region ORDER BY pos)`);
  await db.run(`
    CREATE TEMP TABLE sites AS
    SELECT chrom, pos, ref, alt, min(anchor) AS anchor FROM al GROUP BY ALL`);
  const outside = (
    await db.runAndReadAll(`
      SELECT chrom, pos, ref, alt, anchor FROM sites
      WHERE anchor < ${args.range.start - COVERAGE_MARGIN} OR anchor > ${args.range.stop + COVERAGE_MARGIN}
      LIMIT 1`)
  ).getRows()[0];
  if (outside) {
    throw new Error(
      `allele ${outside.slice(0, 4).join(':')} was called at ${String(outside[4])}, more than ${COVERAGE_MARGIN} bases from its shard ${args.shardName}: its AN cannot be read here`,
    );
  }

  const perRegion = args.regions.flatMap((region, i) =>
    ['ac', 'an', 'ac_hom', 'ac_het', 'ns', 'n_hom'].map(
      (column) =>
        `coalesce(max(${column}) FILTER (WHERE region = ${literal(region)}), 0) AS ${identifier(`${column}_${i}`)}`,
    ),
  );
  const info = [
    ...infoEntries(args.tags, '', (c) => identifier(`${c}_all`)),
    ...args.regions.flatMap((region, i) =>
      infoEntries(args.tags, `_${region}`, (c) => identifier(`${c}_${i}`)),
    ),
  ];
  await db.run(`
    COPY (
      WITH grid AS (
        SELECT s.chrom, s.pos, s.ref, s.alt, s.anchor, r.region,
               coalesce(c.an, 0) AS an, coalesce(c.ns, 0) AS ns
        FROM (sites s CROSS JOIN regions r)
        ASOF LEFT JOIN cov c ON c.chrom = s.chrom AND c.region = r.region AND s.anchor >= c.pos
      ),
      counted AS (
        SELECT g.chrom, g.pos, g.ref, g.alt, g.region, g.an, g.ns,
               coalesce(a.ac, 0) AS ac, coalesce(a.ac_hom, 0) AS ac_hom,
               coalesce(a.ac_het, 0) AS ac_het, coalesce(a.n_hom, 0) AS n_hom
        FROM grid g LEFT JOIN al a USING (chrom, pos, ref, alt, region)
      ),
      wide AS (
        SELECT chrom, pos, ref, alt,
               sum(ac) AS ac_all, sum(an) AS an_all, sum(ac_hom) AS ac_hom_all,
               sum(ac_het) AS ac_het_all, sum(ns) AS ns_all, sum(n_hom) AS n_hom_all,
               ${perRegion.join(',\n               ')}
        FROM counted GROUP BY chrom, pos, ref, alt
      )
      SELECT chrom, pos, '.', ref, alt, '.', '.', concat_ws(';', ${info.join(', ')})
      FROM wide ORDER BY pos, ref, alt
    ) TO ${literal(args.bodyFile)} (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')`);
  const sites = (await db.runAndReadAll('SELECT count(*) FROM sites')).getRows()[0]![0];
  return { sites: Number(sites) };
}
