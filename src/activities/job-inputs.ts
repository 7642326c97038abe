/**
 * A step's submitted inputs must still be the files intake checked: a replaced, rewritten or
 * removed file fails the step (before submission here, and again inside the job itself).
 */
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import type { ExpectedInput } from '../domain/file-facts.ts';
import { FailureType } from '../errors.ts';
import { identityOf, sameIdentity } from '../store/file-identity.ts';

export function inputChanged(labels: readonly string[]): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `${labels.join(', ')} changed after intake (replaced, rewritten or removed): the sample is not harmonised from a file other than the one checked; submit it again`,
    FailureType.InputChangedAfterIntake,
    { inputs: labels },
  );
}

/** Fails the step before its job is submitted when a submitted input is not the file intake checked. */
export async function refuseChangedInputs(
  inputs: Readonly<Record<string, string>>,
  expected: Readonly<Record<string, ExpectedInput>>,
): Promise<void> {
  const changed: string[] = [];
  for (const [name, identity] of Object.entries(expected)) {
    const file = inputs[name];
    if (file === undefined) continue;
    const now = await fs.stat(file, { bigint: true }).catch(() => null);
    if (now === null || !sameIdentity(identity, identityOf(now))) changed.push(identity.label);
  }
  if (changed.length > 0) throw inputChanged(changed);
}
