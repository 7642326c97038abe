/**
 * jobProbeWorkflow (`probe:<probeId>`): one probe job through the same path as every pipeline
 * step (runStep, the executor, the poller, the retry decisions). It checks a cluster end to end
 * and is what the overhead benchmark measures.
 */
import { setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PlanStep } from '../domain/plan.ts';
import { PROBE_OUTPUT } from '../domain/probe-output.ts';
import type { ProbeInput } from '../domain/probe.ts';
import type { StepAttempt, StepStatus } from '../domain/status.ts';
import { SearchAttribute } from '../shared.ts';
import { localActivities } from './activities.ts';
import { probeStatusQuery } from './messages.ts';
import { runStepWithRetries } from './run-step.ts';

export interface JobProbeResult {
  probeId: string;
  jobId: string;
  /** When the executor accepted the successful attempt's job. */
  submittedAt: string;
  /** When this workflow learnt that the job had ended. */
  knownEndedAt: string;
  attempts: StepAttempt[];
}

export async function jobProbeWorkflow(input: ProbeInput): Promise<JobProbeResult> {
  const { workflowId } = workflowInfo();
  const status: StepStatus = { name: 'probe', status: 'pending', attempts: [] };
  setHandler(probeStatusQuery, () => status);
  upsertSearchAttributes([{ key: SearchAttribute.Stage, value: 'probe' }]);
  const step: PlanStep = {
    name: 'probe',
    kind: 'probe',
    inputs: {},
    outputs: [PROBE_OUTPUT],
    resources: input.resources,
  };
  const result = await runStepWithRetries({
    workflowId,
    sampleId: null,
    pipelineVersion: null,
    step,
    inputs: {},
    caps: input.retry,
    status,
    probe: input.probe,
  });
  await localActivities.removeWorkDir({ workflowId });
  upsertSearchAttributes([{ key: SearchAttribute.Stage, value: 'done' }]);
  return {
    probeId: input.probeId,
    jobId: result.jobId,
    submittedAt: result.submittedAt,
    knownEndedAt: status.attempts.at(-1)?.endedAt ?? '',
    attempts: status.attempts,
  };
}
