/**
 * The audit log (`gdb/audit.jsonl`): one JSON line per operator or citizen-rights action, only
 * ever appended (O_APPEND, fsync), never rewritten. Pseudonymous ids only.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AuditEntry {
  at: string;
  action: string;
  requestedBy: string;
  [detail: string]: unknown;
}

export async function appendAudit(file: string, entry: AuditEntry): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, 'a', 0o640);
  try {
    await handle.appendFile(`${JSON.stringify(entry)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readAudit(file: string): Promise<AuditEntry[]> {
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}
