/** Streaming checksums: never a whole file in memory. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * The checksum of a file by name, or of an open descriptor (read from its start, positionally,
 * so the descriptor can be shared). `onChunk` runs after every MiB: heartbeats, cancellation.
 */
export async function hashFile(
  file: string | FileHandle,
  algorithm: Algorithm,
  onChunk?: () => void,
): Promise<string> {
  return (await hashFileWith(file, [algorithm], onChunk))[algorithm]!;
}

type Algorithm = 'md5' | 'sha256';

/** Several checksums of a file in one read of it. */
export async function hashFileWith(
  file: string | FileHandle,
  algorithms: readonly Algorithm[],
  onChunk?: () => void,
): Promise<Partial<Record<Algorithm, string>>> {
  const hashes = algorithms.map((algorithm) => [algorithm, createHash(algorithm)] as const);
  const chunks =
    typeof file === 'string' ? createReadStream(file, { highWaterMark: 1 << 20 }) : chunksOf(file);
  for await (const chunk of chunks) {
    for (const [, hash] of hashes) hash.update(chunk as Buffer);
    onChunk?.();
  }
  return Object.fromEntries(hashes.map(([algorithm, hash]) => [algorithm, hash.digest('hex')]));
}

/**
 * An open file's content from its start, a MiB at a time, by positional reads: the descriptor
 * is neither moved nor closed (a stream over a FileHandle closes it when destroyed), so several
 * checks can read one opened file in turn.
 */
export async function* chunksOf(handle: FileHandle, chunkBytes = 1 << 20): AsyncGenerator<Buffer> {
  let position = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
