/** Streaming checksums: never a whole file in memory. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function hashFile(
  file: string,
  algorithm: 'md5' | 'sha256',
  onChunk?: () => void,
): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    onChunk?.();
  }
  return hash.digest('hex');
}
