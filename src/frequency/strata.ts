/**
 * The INFO fields of a release and how each is summed (pure). A partial's rows are grouped by
 * region and karyotype; the reduce sums each group into its own columns (`<measure>_<region
 * index>_<karyotype>`), and every field is a sum of some of those groups:
 *
 * - the headline tags (the spec's, and `nhomalt`), overall and `_<region>`: from the adj
 *   genotypes (every genotype is adj without a quality rule);
 * - with a quality rule: `AC_raw AN_raw AF_raw nhomalt_raw`, from every counted genotype;
 * - with sex chromosomes: `AC_XX AN_XX AF_XX nhomalt_XX`, the same for XY, and `AC_hemi` (alt
 *   alleles in haploid genotypes). Samples of unknown karyotype are in no XX/XY stratum.
 *
 * Fields run overall first, then per region, the region's name always last (`AC_XX_hovedstaden`).
 */
import { identifier, literal } from './sql.ts';

export const KARYOTYPES = ['XX', 'XY', 'unknown'] as const;
export type GroupKaryotype = (typeof KARYOTYPES)[number];

/** The tags a release can carry (the pipeline spec picks), and the hom-alt person count. */
export const COUNT_TAGS = ['AC', 'AN', 'AF', 'AC_Hom', 'AC_Het', 'NS'] as const;
export const HOM_ALT_TAG = 'nhomalt';

/** Which fields a release has beyond its headline tags. */
export interface FieldLayout {
  /** The spec's count tags. */
  tags: readonly string[];
  /** The spec has a quality rule: raw counts beside the headline. */
  raw: boolean;
  /** The spec names sex chromosomes: XX/XY strata and hemizygous counts. */
  sex: boolean;
}

export interface Group {
  region: number;
  karyotype: GroupKaryotype;
}

export function groupsOf(regions: readonly string[]): Group[] {
  return regions.flatMap((_, region) => KARYOTYPES.map((karyotype) => ({ region, karyotype })));
}

/** A group's column of one measure. */
export function groupColumn(measure: string, g: Group): string {
  return identifier(`${measure}_${g.region}_${g.karyotype}`);
}

/** Per group, `coalesce(<expr> FILTER (WHERE <the group>), 0) AS <measure>_<group>`. */
export function perGroup(regions: readonly string[], columns: Record<string, string>): string[] {
  return groupsOf(regions).flatMap((g) =>
    Object.entries(columns).map(
      ([measure, expr]) =>
        `coalesce(${expr} FILTER (WHERE region = ${literal(regions[g.region]!)} AND karyotype = ${literal(g.karyotype)}), 0) AS ${groupColumn(measure, g)}`,
    ),
  );
}

/** One INFO field: its ID, the tag whose header line it shares, and the groups it sums. */
export interface Field {
  id: string;
  tag: string;
  /** What the field counts, for its header line: `` (headline), `raw`, `XX`, `XY`, `hemi`. */
  stratum: '' | 'raw' | 'XX' | 'XY' | 'hemi';
  /** The region index, or null: every region. */
  region: number | null;
  /** SQL of its value, from the group columns. */
  value: string;
}

/** Measures by tag: headline and strata from adj columns, raw from raw ones. */
const ADJ: Record<string, string> = {
  AC: 'ac_adj',
  AN: 'an_adj',
  AC_Hom: 'ac_hom_adj',
  AC_Het: 'ac_het_adj',
  NS: 'ns_adj',
  [HOM_ALT_TAG]: 'n_hom_adj',
};
const RAW: Record<string, string> = { AC: 'ac', AN: 'an', [HOM_ALT_TAG]: 'n_hom' };

function sumOf(groups: readonly Group[], measure: string): string {
  return groups.length === 0 ? '0' : `(${groups.map((g) => groupColumn(measure, g)).join(' + ')})`;
}

function valueOf(tag: string, measures: Record<string, string>, groups: readonly Group[]) {
  if (tag !== 'AF') return sumOf(groups, measures[tag]!);
  const ac = sumOf(groups, measures.AC!);
  const an = sumOf(groups, measures.AN!);
  // bcftools prints AF with %g; an AN of 0 leaves the frequency unknown.
  return `CASE WHEN ${an} > 0 THEN printf('%g', ${ac} / ${an}) ELSE '.' END`;
}

/** Every INFO field of a release, in the order the records carry them. */
export function releaseFields(layout: FieldLayout, regions: readonly string[]): Field[] {
  const all = groupsOf(regions);
  const fields: Field[] = [];
  for (const region of [null, ...regions.map((_, i) => i)]) {
    const suffix = region === null ? '' : `_${regions[region]}`;
    const inRegion = all.filter((g) => region === null || g.region === region);
    const add = (tags: readonly string[], stratum: Field['stratum'], groups: Group[]) => {
      const measures = stratum === 'raw' ? RAW : ADJ;
      const infix = stratum === '' ? '' : `_${stratum}`;
      for (const tag of tags)
        fields.push({
          id: `${tag}${infix}${suffix}`,
          tag,
          stratum,
          region,
          value: valueOf(tag, measures, groups),
        });
    };
    add([...layout.tags, HOM_ALT_TAG], '', inRegion);
    if (layout.raw) add(['AC', 'AN', 'AF', HOM_ALT_TAG], 'raw', inRegion);
    if (layout.sex) {
      for (const k of ['XX', 'XY'] as const)
        add(
          ['AC', 'AN', 'AF', HOM_ALT_TAG],
          k,
          inRegion.filter((g) => g.karyotype === k),
        );
      fields.push({
        id: `AC_hemi${suffix}`,
        tag: 'AC',
        stratum: 'hemi',
        region,
        value: sumOf(inRegion, 'ac_hemi_adj'),
      });
    }
  }
  return fields;
}

/** `'<id>=' || <value>` for each field: concatenated into a record's INFO. */
export function infoEntries(fields: readonly Field[]): string[] {
  return fields.map((f) => `'${f.id}=' || ${f.value}`);
}
