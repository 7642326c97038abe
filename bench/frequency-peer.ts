/**
 * The peer of a frequency release: every gVCF merged at once, as a bioinformatician would run it
 * on this machine (all threads), `bcftools merge -g -m all | norm -m -any -f | +fill-tags`. Its
 * every line is kept: lines of `<*>` or with AC 0 still say who is called at their POS, which the
 * comparison needs (frequency-compare.ts); it leaves them out as sites. CPU seconds are user +
 * system of the whole pipeline and peak RSS that of its largest process (`/usr/bin/time` on the
 * shell, which waits for every stage).
 */
import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface PeerRun {
  vcf: string;
  cpuSeconds: number;
  wallSeconds: number;
  peakRssMiB: number;
}

/** The pipeline as one bash script; its arguments are $1 reference, $2 list, $3 groups, $4 out. */
export const PEER_SCRIPT = [
  'set -euo pipefail',
  [
    'bcftools merge --no-version -g "$1" -m all --threads "$5" -l "$2" -Ou',
    '| bcftools norm --no-version -m -any -f "$1" -Ou',
    '| bcftools +fill-tags --no-version -Oz -o "$4" -- -S "$3" -t AC,AN,AF,AC_Hom,AC_Het,NS',
  ].join(' \\\n  '),
].join('\n');

export async function runPeer(args: {
  dir: string;
  reference: string;
  samples: readonly { sampleId: string; region: string; gvcf: string }[];
}): Promise<PeerRun> {
  await fs.mkdir(args.dir, { recursive: true });
  const list = path.join(args.dir, 'gvcfs.list');
  const groups = path.join(args.dir, 'groups.tsv');
  const vcf = path.join(args.dir, 'peer.vcf.gz');
  const timing = path.join(args.dir, 'time.txt');
  await fs.writeFile(list, args.samples.map((s) => `${s.gvcf}\n`).join(''));
  await fs.writeFile(groups, args.samples.map((s) => `${s.sampleId}\t${s.region}\n`).join(''));
  await fs.writeFile(path.join(args.dir, 'peer.sh'), `${PEER_SCRIPT}\n`);
  const threads = String(os.availableParallelism());
  const result = await execa(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', '-o', timing, 'bash', '-c', PEER_SCRIPT, 'peer'].concat([
      args.reference,
      list,
      groups,
      vcf,
      threads,
    ]),
    { reject: false },
  );
  if (result.exitCode !== 0) {
    throw new Error(`the peer pipeline failed (exit ${result.exitCode}):\n${result.stderr}`);
  }
  const last = (await fs.readFile(timing, 'utf8')).trim().split('\n').at(-1) ?? '';
  const [wall, user, system, maxKiB] = last.split(' ').map(Number);
  if ([wall, user, system, maxKiB].some((n) => n === undefined || !Number.isFinite(n))) {
    throw new Error(`/usr/bin/time wrote "${last}" to ${timing}, not "wall user sys maxrss"`);
  }
  await execa('bcftools', ['index', '-t', '-f', vcf]);
  return {
    vcf,
    cpuSeconds: user! + system!,
    wallSeconds: wall!,
    peakRssMiB: maxKiB! / 1024,
  };
}
