/**
 * The look-up of job keys before sbatch (is a job with this name live, recently finished, or in
 * accounting?), coalesced: every key asked for while a look-up is under way waits for the next
 * one, and that one squeue (plus one sacct, for the keys whose earlier sbatch may have gone
 * through unrecorded) answers them all. A hundred submissions at once then cost a handful of
 * controller calls instead of a hundred, and a lone submission waits for nothing extra.
 */
import type { SlurmCommands } from './commands.ts';

/** Keys per call: keeps one `--name=` argument far below the kernel's 128 KiB per argument. */
const MAX_KEYS_PER_CALL = 100;

interface Request {
  key: string;
  searchAccounting: boolean;
  resolve: (jobId: string | null) => void;
  reject: (error: unknown) => void;
}

export class KeyLookup {
  private pending: Request[] = [];
  private busy = false;

  constructor(private readonly commands: Pick<SlurmCommands, 'squeueByNames' | 'sacct'>) {}

  /**
   * The id of the latest job named `key`: squeue first, then (with `searchAccounting`)
   * accounting. Null when Slurm knows no such job; rejects when the controller did not answer.
   */
  find(key: string, searchAccounting: boolean): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, searchAccounting, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.busy || this.pending.length === 0) return;
    this.busy = true;
    // Requests made in the same turn of the event loop go together.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_KEYS_PER_CALL);
    try {
      const found = await this.lookUp(batch);
      for (const request of batch) request.resolve(found.get(request.key) ?? null);
    } catch (error) {
      for (const request of batch) request.reject(error);
    } finally {
      this.busy = false;
      this.next();
    }
  }

  private async lookUp(batch: readonly Request[]): Promise<Map<string, string>> {
    const keys = [...new Set(batch.map((r) => r.key))];
    const found = new Map<string, string>();
    for (const row of await this.commands.squeueByNames(keys)) latest(found, row);
    const unrecorded = [
      ...new Set(batch.filter((r) => r.searchAccounting && !found.has(r.key)).map((r) => r.key)),
    ];
    for (const row of await this.commands.sacct({ names: unrecorded })) latest(found, row);
    return found;
  }
}

/** Keeps the highest job id under each name: squeue sorts by state, not by submission. */
function latest(found: Map<string, string>, row: { name: string; jobId: string }): void {
  const known = found.get(row.name);
  if (known === undefined || Number(row.jobId) > Number(known)) found.set(row.name, row.jobId);
}
