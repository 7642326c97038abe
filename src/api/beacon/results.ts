/**
 * A lookup's found variant as a Beacon v2 genomicVariant record (pure): its alleles as a
 * LegacyVariation at a VRS SequenceLocation (interbase, so the interval starts at POS - 1), and
 * its frequencies in `frequencyInPopulations`, one population per region plus the national total.
 *
 * Only numbers the lookup showed go in: a stratum the lookup answered `{ suppressed: true }` (under
 * the floor, or hidden so that the national count cannot give a small one back) is left out of the
 * frequencies and named in `suppressedPopulations`; a variant under the floor nationally has no
 * `frequencyInPopulations` at all. A region without a called allele there (AN 0) has no frequency
 * and is left out too.
 *
 * Besides `population` and `alleleFrequency` (the schema's), each frequency carries `alleleCount`,
 * `alleleNumber` and `alleleCountHomozygous` (genomes homozygous for the allele, the release's
 * nhomalt), as allele-frequency Beacons name them; the national one also `alleleCountHemizygous`
 * where the release counts haploid genotypes.
 */
import type { Counts, Shown, VariantFound } from '../../lookup/answer.ts';
import { beaconStart, variantTypeOf } from './coordinates.ts';

/** The population of the national total. */
export const NATIONAL = 'national';

export interface FrequencySource {
  /** The study, e.g. this Beacon's name. */
  source: string;
  /** Where the release is described (the lookup's dataset URL). */
  sourceReference: string;
  /** Which release. */
  version: string;
}

export interface PopulationFrequency {
  population: string;
  alleleFrequency: number;
  alleleCount: number;
  alleleNumber: number;
  alleleCountHomozygous: number;
  alleleCountHemizygous?: number;
}

function isCounts(shown: Shown | undefined): shown is Counts {
  return shown !== undefined && 'AC' in shown;
}

function frequencyOf(population: string, counts: Counts): PopulationFrequency | null {
  if (counts.AF === null || counts.AN === 0) return null;
  return {
    population,
    alleleFrequency: counts.AF,
    alleleCount: counts.AC,
    alleleNumber: counts.AN,
    alleleCountHomozygous: counts.nhomalt,
  };
}

/** The populations with numbers, and those the floor kept them from. */
export function populationFrequencies(found: VariantFound): {
  frequencies: PopulationFrequency[];
  suppressed: string[];
} {
  const frequencies: PopulationFrequency[] = [];
  const suppressed: string[] = [];
  const add = (population: string, shown: Shown | undefined) => {
    if (!isCounts(shown)) {
      if (shown !== undefined) suppressed.push(population);
      return;
    }
    const frequency = frequencyOf(population, shown);
    if (frequency !== null) frequencies.push(frequency);
  };
  add(NATIONAL, found.overall);
  const hemi = found.strata?.hemi;
  const national = frequencies[0];
  if (national?.population === NATIONAL && hemi !== undefined && 'AC' in hemi)
    national.alleleCountHemizygous = hemi.AC;
  for (const [region, shown] of Object.entries(found.regions)) add(region, shown);
  return { frequencies, suppressed };
}

/** A CURIE for a sequence of the release's reference (VRS wants `prefix:reference`). */
export function sequenceId(reference: string, chrom: string): string {
  return `${reference.replace(/[^\w.-]/g, '_') || 'reference'}:${chrom}`;
}

/** The genomicVariant record of a found variant. */
export function genomicVariant(found: VariantFound, source: FrequencySource) {
  const { variant } = found;
  const { frequencies, suppressed } = populationFrequencies(found);
  const start = beaconStart(variant.pos);
  return {
    variantInternalId: variant.id,
    variation: {
      variantType: variantTypeOf(variant.ref, variant.alt),
      referenceBases: variant.ref,
      alternateBases: variant.alt,
      location: {
        type: 'SequenceLocation',
        sequence_id: sequenceId(found.reference, variant.chrom),
        interval: {
          type: 'SequenceInterval',
          start: { type: 'Number', value: start },
          end: { type: 'Number', value: start + variant.ref.length },
        },
      },
    },
    ...(frequencies.length > 0 ? { frequencyInPopulations: [{ ...source, frequencies }] } : {}),
    belowFloor: found.belowFloor,
    ...(suppressed.length > 0 ? { suppressedPopulations: suppressed } : {}),
  };
}
export type GenomicVariant = ReturnType<typeof genomicVariant>;
