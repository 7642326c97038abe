/**
 * What an alignment's header says: its @SQ lines (name and M5) and @PG records, and whether the
 * @SQ lines are exactly the national reference's sequences.
 */
import type { AlignmentFacts, ReferenceInfo } from './inspection.ts';

/** @PG records kept as facts (the planner reads the aligner's; real headers have a handful). */
const MAX_PROGRAMS = 100;

export interface SqLine {
  name: string;
  m5: string | null;
}

/** The header's @SQ lines; its M5s and @PG records go into `facts`. */
export function parseHeader(lines: readonly string[], facts: AlignmentFacts): SqLine[] {
  const sq: SqLine[] = [];
  for (const line of lines) {
    const fields = headerFields(line);
    if (line.startsWith('@SQ\t')) {
      const m5 = fields.get('M5')?.toLowerCase() ?? null;
      sq.push({ name: fields.get('SN') ?? '', m5 });
      if (m5 !== null) facts.m5s[fields.get('SN') ?? ''] = m5;
    } else if (line.startsWith('@PG\t') && facts.programs.length < MAX_PROGRAMS) {
      // Facts travel through workflow history: a hostile header is cut to size.
      const clip = (value: string | undefined) =>
        value === undefined ? null : value.slice(0, 2000);
      facts.programs.push({
        id: clip(fields.get('ID')) ?? '',
        name: clip(fields.get('PN')),
        version: clip(fields.get('VN')),
        commandLine: clip(fields.get('CL')),
      });
    }
  }
  return sq;
}

/** The @SQ lines that are not the national reference's, and whether the header is exactly it. */
export function compareToNational(
  sq: readonly SqLine[],
  reference: ReferenceInfo,
): { foreign: SqLine[]; national: Map<string, string>; onNationalReference: boolean } {
  const national = new Map(reference.sequences.map((s) => [s.name, s.md5.toLowerCase()]));
  const foreign = sq.filter((s) => s.m5 === null || national.get(s.name) !== s.m5);
  const onNationalReference =
    sq.length > 0 && foreign.length === 0 && new Set(sq.map((s) => s.name)).size === national.size;
  return { foreign, national, onNationalReference };
}

function headerFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const field of line.split('\t').slice(1)) fields.set(field.slice(0, 2), field.slice(3));
  return fields;
}

export function describeForeign(s: SqLine, national: ReadonlyMap<string, string>): string {
  if (s.m5 === null) return `@SQ ${s.name} has no M5 tag`;
  const ours = national.get(s.name);
  if (ours === undefined) return `@SQ ${s.name} is not a national reference sequence`;
  return `@SQ ${s.name} has M5 ${s.m5}, the national ${s.name} has ${ours}`;
}
