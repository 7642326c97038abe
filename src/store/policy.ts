/** Reads NGC's policy file; without one, every region is harmonised `full`. */
import fs from 'node:fs/promises';
import { DEFAULT_POLICY, policySchema, type Policy } from '../domain/policy.ts';
import { zodIssuesToInputIssues } from '../domain/issues.ts';
import { HarmoniseError } from '../errors.ts';

export async function readPolicy(file: string): Promise<Policy> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_POLICY;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HarmoniseError('CONFIG_INVALID', `policy file ${file} is not JSON: ${String(error)}`);
  }
  const parsed = policySchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const problems = zodIssuesToInputIssues('POLICY', parsed.error.issues)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ');
    throw new HarmoniseError('CONFIG_INVALID', `policy file ${file} is invalid: ${problems}`);
  }
  return parsed.data;
}
