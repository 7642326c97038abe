/** What a consent withdrawal did (the consent workflow's result, `consent withdraw --json`). */
export interface ConsentWithdrawal {
  sampleId: string;
  /** When consent was first withdrawn (a repeated withdrawal keeps the first time). */
  withdrawnAt: string;
  alreadyWithdrawn: boolean;
  /** The release this withdrawal started, or null (none asked, or one already cut since). */
  releaseId: string | null;
}
