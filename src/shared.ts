/** Names shared by workers and clients: task queues, workflow ids, search attributes. */
import { defineSearchAttributeKey } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'harmonise';

export function submissionWorkflowId(region: string, submissionId: string): string {
  return `submission:${region}:${submissionId}`;
}

export function sampleWorkflowId(sampleId: string, pipelineVersion: string): string {
  return `sample:${sampleId}:${pipelineVersion}`;
}

export function frequencyWorkflowId(releaseId: string): string {
  return `frequency:${releaseId}`;
}

export function probeWorkflowId(probeId: string): string {
  return `probe:${probeId}`;
}

export function consentWorkflowId(sampleId: string): string {
  return `consent:${sampleId}`;
}

/** Release ids sort by time: `20261126T171500.123Z` (in workflows, `now` is workflow time). */
export function newReleaseId(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '');
}

export function campaignWorkflowId(campaignId: string): string {
  return `campaign:${campaignId}`;
}

/** Search attributes (docs/workflows.md). No personal data: values are stored unencrypted. */
export const SearchAttribute = {
  Region: defineSearchAttributeKey('Region', 'KEYWORD'),
  CampaignId: defineSearchAttributeKey('CampaignId', 'KEYWORD'),
  HarmonisationMode: defineSearchAttributeKey('HarmonisationMode', 'KEYWORD'),
  PipelineVersion: defineSearchAttributeKey('PipelineVersion', 'KEYWORD'),
  Stage: defineSearchAttributeKey('Stage', 'KEYWORD'),
} as const;

/** The same attributes as `temporal server start-dev --search-attribute` arguments. */
export const SEARCH_ATTRIBUTE_TYPES: Readonly<Record<keyof typeof SearchAttribute, 'Keyword'>> = {
  Region: 'Keyword',
  CampaignId: 'Keyword',
  HarmonisationMode: 'Keyword',
  PipelineVersion: 'Keyword',
  Stage: 'Keyword',
};
