/**
 * The reporting floor (pure). Readers see no count with 0 < AC < floor; operators see all.
 *
 * Within a partition (the regions of the nation; XX and XY of the nation) hiding the small
 * strata alone is not enough: the national count minus the shown ones would give back a hidden
 * one. So the hidden part of a partition must itself hold at least `floor` alleles, or none:
 * while it holds fewer, the smallest shown stratum with alternate alleles is hidden as well
 * (complementary suppression). Whatever the strata leave out of the total (genomes of unknown
 * karyotype, for the sex strata) counts as hidden from the start.
 */
import type { Counts, Privacy, Shown } from './answer.ts';

export const SUPPRESSED = { suppressed: true } as const;

/** A count readers may not see: some alternate alleles, fewer than the floor. */
export function underFloor(ac: number, floor: number): boolean {
  return ac > 0 && ac < floor;
}

/**
 * The strata of one partition as readers see them. `total` is the partition's whole (its own
 * count shown); `parts` are the strata, which may not add up to it.
 */
export function suppressPartition(
  total: Counts,
  parts: Record<string, Counts>,
  floor: number,
): Record<string, Shown> {
  const names = Object.keys(parts);
  const hidden = new Set(names.filter((name) => underFloor(parts[name]!.AC, floor)));
  const shownSum = names.filter((n) => !hidden.has(n)).reduce((sum, n) => sum + parts[n]!.AC, 0);
  let hiddenSum = total.AC - shownSum;
  while (underFloor(hiddenSum, floor)) {
    const next = names
      .filter((n) => !hidden.has(n) && parts[n]!.AC > 0)
      .sort((a, b) => parts[a]!.AC - parts[b]!.AC || a.localeCompare(b))[0];
    if (next === undefined) break;
    hidden.add(next);
    hiddenSum += parts[next]!.AC;
  }
  return Object.fromEntries(names.map((n) => [n, hidden.has(n) ? SUPPRESSED : parts[n]!]));
}

/** The rule an answer is given under: the release's floor, raised by the API's own. */
export function effectivePrivacy(
  recorded: Omit<Privacy, 'audience'> | undefined,
  configured: Omit<Privacy, 'audience'>,
  audience: Privacy['audience'],
): Privacy {
  const floor = Math.max(recorded?.floor ?? configured.floor, configured.floor);
  // hide is the stricter: either side asking for it wins.
  const belowFloor =
    recorded?.belowFloor === 'hide' || configured.belowFloor === 'hide' ? 'hide' : 'flag';
  return { floor, belowFloor, audience };
}

/** Whether this answer leaves below-floor variants out entirely (policy `hide`, to a reader). */
export function hidesBelowFloor(privacy: Privacy): boolean {
  return privacy.audience === 'reader' && privacy.belowFloor === 'hide';
}
