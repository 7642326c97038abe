/**
 * A synthetic record's INFO, field for field as the release engine writes it (pure): the fields
 * and their order come from the engine's own list (src/frequency/strata.ts `releaseFields`), each
 * summed here over the same region and karyotype groups the engine's SQL sums, AF printed with
 * C's `%g` as bcftools and the engine print it.
 */
import { releaseFields, type Field, type FieldLayout } from '../src/frequency/strata.ts';
import { GROUPS } from './lookup-model.ts';

/** Pipeline 2's fields: its six tags, raw counts (a quality rule) and XX/XY strata. */
export const PIPELINE_2_LAYOUT: FieldLayout = {
  tags: ['AC', 'AN', 'AF', 'AC_Hom', 'AC_Het', 'NS'],
  raw: true,
  sex: true,
};

/** One count of every group of a record (index: GROUPS). */
export interface GroupCounts {
  ac: Int32Array;
  an: Int32Array;
  hom: Int32Array;
  het: Int32Array;
  ns: Int32Array;
  nhom: Int32Array;
  hemi: Int32Array;
  acRaw: Int32Array;
  anRaw: Int32Array;
  nhomRaw: Int32Array;
}
export type Measure = keyof GroupCounts;

interface PlannedField {
  id: string;
  /** The measure summed; AF is `ratio`'s first over its second. */
  measure: Measure | null;
  ratio: [Measure, Measure] | null;
  groups: number[];
}

const ADJ: Record<string, Measure> = {
  AC: 'ac',
  AN: 'an',
  AC_Hom: 'hom',
  AC_Het: 'het',
  NS: 'ns',
  nhomalt: 'nhom',
};
const RAW: Record<string, Measure> = { AC: 'acRaw', AN: 'anRaw', nhomalt: 'nhomRaw' };

function plan(field: Field): PlannedField {
  const groups = GROUPS.flatMap((g, i) =>
    (field.region === null || g.region === field.region) &&
    (field.stratum !== 'XX' || g.karyotype === 'XX') &&
    (field.stratum !== 'XY' || g.karyotype === 'XY')
      ? [i]
      : [],
  );
  const measures = field.stratum === 'raw' ? RAW : ADJ;
  if (field.stratum === 'hemi') return { id: field.id, measure: 'hemi', ratio: null, groups };
  if (field.tag === 'AF')
    return { id: field.id, measure: null, ratio: [measures.AC!, measures.AN!], groups };
  const measure = measures[field.tag];
  if (measure === undefined) throw new Error(`no measure for ${field.id}`);
  return { id: field.id, measure, ratio: null, groups };
}

/** `%g`: six significant digits, trailing zeros dropped, exponent form below 1e-4. */
export function formatG(x: number): string {
  if (x === 0) return '0';
  const [mantissa = '', exponentText = '0'] = x.toExponential(5).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const trimmed = mantissa.replace(/\.?0+$/, '');
    const sign = exponent < 0 ? '-' : '+';
    return `${trimmed}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return x.toFixed(5 - exponent).replace(/\.?0+$/, '');
}

/** The INFO text of records with `regions` under `layout`. */
export function infoWriter(layout: FieldLayout, regions: readonly string[]) {
  const fields = releaseFields(layout, regions).map(plan);
  const sum = (values: Int32Array, groups: number[]) => {
    let total = 0;
    for (const g of groups) total += values[g]!;
    return total;
  };
  return (counts: GroupCounts): string =>
    fields
      .map((f) => {
        if (f.measure !== null) return `${f.id}=${sum(counts[f.measure], f.groups)}`;
        const [num, den] = f.ratio!;
        const an = sum(counts[den], f.groups);
        return `${f.id}=${an > 0 ? formatG(sum(counts[num], f.groups) / an) : '.'}`;
      })
      .join(';');
}
