/**
 * An independent count of the cohort, read from the gVCFs themselves: to tell, where a release
 * and the peer disagree, which of them is right. A genome counts towards AN (and NS) at a site's
 * POS when a called block covers that POS or a called record starts there; its alleles count
 * where its records carry them, split per ALT and trimmed as `bcftools norm -m -any` writes them
 * (the cohort's indels are already left-aligned). The same rule an additive engine follows, but
 * written without one: plain per-genome reads and sums.
 */
import { execa } from 'execa';
import readline from 'node:readline';
import { COUNT_TAGS, type SiteCounts } from './frequency-compare.ts';

interface Called {
  starts: number[];
  /** The largest END among intervals 0..i: covered at P iff it reaches P for the last start <= P. */
  reach: number[];
}

interface Site {
  chrom: string;
  pos: number;
  counts: number[];
}

/** REF/ALT trimmed of shared trailing, then leading bases (keeping one), as norm writes them. */
function trimmed(pos: number, ref: string, alt: string): [number, string, string] {
  while (ref.length > 1 && alt.length > 1 && ref.at(-1) === alt.at(-1)) {
    ref = ref.slice(0, -1);
    alt = alt.slice(0, -1);
  }
  while (ref.length > 1 && alt.length > 1 && ref[0] === alt[0]) {
    ref = ref.slice(1);
    alt = alt.slice(1);
    pos += 1;
  }
  return [pos, ref, alt];
}

function covered(called: Called | undefined, pos: number): boolean {
  if (!called) return false;
  let low = 0;
  let high = called.starts.length - 1;
  let last = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (called.starts[mid]! <= pos) {
      last = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return last >= 0 && called.reach[last]! >= pos;
}

export async function independentCounts(
  samples: readonly { region: string; gvcf: string }[],
  regions: readonly string[],
): Promise<SiteCounts> {
  const width = COUNT_TAGS.length;
  const tag = (name: (typeof COUNT_TAGS)[number]) => COUNT_TAGS.indexOf(name);
  const sites = new Map<string, Site>();
  const genomes: { group: number; called: Map<string, Called> }[] = [];
  for (const sample of samples) {
    const group = 1 + regions.indexOf(sample.region);
    if (group === 0) throw new Error(`${sample.gvcf}: region ${sample.region} is not listed`);
    const called = new Map<string, Called>();
    const add = (counts: number[], name: Parameters<typeof tag>[0], by: number) => {
      counts[tag(name)]! += by;
      counts[group * width + tag(name)]! += by;
    };
    const child = execa(
      'bcftools',
      ['query', '-f', '%CHROM\\t%POS\\t%REF\\t%ALT\\t%INFO/END[\\t%GT]\\n', sample.gvcf],
      { buffer: false },
    );
    for await (const line of readline.createInterface({ input: child.stdout })) {
      const [chrom, posText, ref, alts, endText, gt] = line.split('\t') as [
        string,
        string,
        string,
        string,
        string,
        string | undefined,
      ];
      const pos = Number(posText);
      const alleles = (gt ?? '.').split(/[/|]/);
      if (alleles.includes('.')) continue;
      let intervals = called.get(chrom);
      if (!intervals) called.set(chrom, (intervals = { starts: [], reach: [] }));
      const end = alts === '.' && endText !== '.' ? Number(endText) : pos;
      intervals.starts.push(pos);
      intervals.reach.push(Math.max(end, intervals.reach.at(-1) ?? 0));
      if (alts === '.') continue;
      alts.split(',').forEach((alt, i) => {
        const copies = alleles.filter((a) => Number(a) === i + 1).length;
        if (copies === 0 || alt === '*' || alt === '<*>') return;
        const [p, r, a] = trimmed(pos, ref, alt);
        const key = `${chrom}:${p}:${r}:${a}`;
        let site = sites.get(key);
        if (!site) {
          site = {
            chrom,
            pos,
            counts: new Array<number>(width * (regions.length + 1)).fill(0),
          };
          sites.set(key, site);
        }
        add(site.counts, 'AC', copies);
        if (copies === 2) {
          add(site.counts, 'AC_Hom', 2);
          add(site.counts, 'nhomalt', 1);
        } else add(site.counts, 'AC_Het', 1);
      });
    }
    await child;
    genomes.push({ group, called });
  }
  const result: SiteCounts = new Map();
  for (const [key, site] of sites) {
    for (const genome of genomes) {
      if (!covered(genome.called.get(site.chrom), site.pos)) continue;
      for (const group of [0, genome.group]) {
        site.counts[group * width + tag('AN')]! += 2;
        site.counts[group * width + tag('NS')]! += 1;
      }
    }
    result.set(key, site.counts);
  }
  return result;
}
