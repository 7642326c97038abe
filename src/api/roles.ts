/**
 * The roles a token can carry, and how a token is kept (its sha256 only).
 *
 * - `operator`: NGC staff, everything;
 * - `viewer`: dashboards, read only;
 * - `submitter:<region>`: a regional pipeline, its own region's submissions;
 * - `frequency-reader`: a clinical department, the frequency lookup and the Beacon only, with
 *   counts under the reporting floor suppressed.
 */
import { createHash } from 'node:crypto';

export type Role = 'operator' | 'viewer' | 'frequency-reader' | `submitter:${string}`;

export const ROLE_PATTERN = /^(operator|viewer|frequency-reader|submitter:[a-z][a-z0-9-]*)$/;

export function isRole(value: string): value is Role {
  return ROLE_PATTERN.test(value);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
