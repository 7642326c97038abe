/**
 * Command lines of the adopt step (pure): submitted files a mode keeps are copied into the job's
 * directory (a BAM becomes CRAM on the national reference), and missing indexes are built. The
 * copies are what gets published: the inbox itself is never touched.
 */
import { rename, run, tmpName, type ScriptLine } from './shell.ts';
import type { StepCommands } from './sample-steps.ts';

export function adoptFiles(args: {
  reference: string;
  /** output name → submitted file */
  inputs: Readonly<Record<string, string>>;
  convertToCram: readonly string[];
  index: readonly { of: string; to: string }[];
}): StepCommands {
  const lines: ScriptLine[] = [];
  for (const [name, source] of Object.entries(args.inputs)) {
    if (args.convertToCram.includes(name)) {
      lines.push(
        run([
          ['samtools', 'view', '-C', '--reference', args.reference, '-o', tmpName(name), source],
        ]),
      );
    } else {
      lines.push(run([['cp', '--reflink=auto', '--', source, tmpName(name)]]));
    }
  }
  for (const { of, to } of args.index) {
    const indexOf = tmpName(of);
    lines.push(
      of.endsWith('.cram')
        ? run([['samtools', 'index', '-o', tmpName(to), indexOf]])
        : run([['bcftools', 'index', '-t', '-o', tmpName(to), indexOf]]),
    );
  }
  // Indexes first, so a published file never appears without its index.
  const names = [
    ...args.index.map((i) => i.to),
    ...Object.keys(args.inputs).filter((n) => !args.index.some((i) => i.to === n)),
  ];
  for (const name of new Set(names)) lines.push(rename(tmpName(name), name));
  return { tools: ['samtools', 'bcftools', 'htslib'], lines };
}
