/** A pipelines folder of a deployment whose newest national pipeline is 1 (with noop beside it). */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config.ts';

export async function pipelineOneOnly(root: string): Promise<string> {
  const dir = path.join(root, 'pipelines');
  await fs.mkdir(dir, { recursive: true });
  for (const name of ['1.json', 'noop.json'])
    await fs.copyFile(path.join(PROJECT_ROOT, 'pipelines', name), path.join(dir, name));
  return dir;
}
