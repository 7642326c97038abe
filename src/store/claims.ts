/**
 * Claims of new sample ids (`gdb/claims/<sampleId>.json`): the first submission to claim an id
 * that the catalogue does not hold owns it until its sample is registered (then the catalogue
 * record owns it) or ends without being registered (then the claim is released). Claims are
 * taken under a lock, so of two submissions claiming one id at once exactly one wins. A claim
 * whose submission no longer runs (terminated by hand) is stale and may be taken over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from './atomic.ts';
import { withFileLock } from './file-lock.ts';
import type { Layout } from './layout.ts';

export const CLAIM_SCHEMA = 'harmonise.sample-claim/v1';

export interface SampleClaim {
  schema: typeof CLAIM_SCHEMA;
  sampleId: string;
  region: string;
  submissionId: string;
  /** The claiming submission's workflow. */
  workflowId: string;
  claimedAt: string;
}

export type ClaimOutcome = { won: true } | { won: false; holder: SampleClaim };

export class SampleClaims {
  constructor(private readonly layout: Layout) {}

  async get(sampleId: string): Promise<SampleClaim | null> {
    return (
      ((await readJsonIfExists(this.layout.claimFile(sampleId))) as SampleClaim | undefined) ?? null
    );
  }

  /**
   * Claims `sampleId` for a submission. Wins when nobody holds it, when this submission already
   * does (a retried intake), or when `isStale(holder)` says the holder no longer runs.
   */
  async claim(
    claimant: Omit<SampleClaim, 'schema' | 'claimedAt'>,
    isStale: (holder: SampleClaim) => Promise<boolean>,
  ): Promise<ClaimOutcome> {
    const file = this.layout.claimFile(claimant.sampleId);
    await fs.mkdir(path.dirname(file), { recursive: true });
    return withFileLock(file, async () => {
      const holder = await this.get(claimant.sampleId);
      const mine =
        holder !== null &&
        holder.region === claimant.region &&
        holder.submissionId === claimant.submissionId;
      if (holder !== null && !mine && !(await isStale(holder))) return { won: false, holder };
      if (!mine) {
        await writeJsonAtomic(file, {
          schema: CLAIM_SCHEMA,
          ...claimant,
          claimedAt: new Date().toISOString(),
        } satisfies SampleClaim);
      }
      return { won: true };
    });
  }

  /** Gives up the claims this submission holds on these ids (others' claims stay). */
  async release(
    owner: { region: string; submissionId: string },
    sampleIds: readonly string[],
  ): Promise<void> {
    for (const sampleId of sampleIds) {
      const file = this.layout.claimFile(sampleId);
      await withFileLock(file, async () => {
        const holder = await this.get(sampleId);
        if (holder?.region === owner.region && holder.submissionId === owner.submissionId)
          await fs.rm(file, { force: true });
      }).catch((error: unknown) => {
        // The claims folder may not exist when nothing was ever claimed.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      });
    }
  }
}
