/**
 * A file kept open for the life of the lookup, for @gmod/tabix and @gmod/indexedfasta to read
 * with positioned reads. Their default file handle opens and closes the file on every read: two
 * system calls more per block, on every lookup. Release files never change once published, so one
 * descriptor per file serves every request.
 */
import fs, { type FileHandle } from 'node:fs/promises';

type Encoding = BufferEncoding | { encoding: BufferEncoding };

export class OpenFile {
  private handle: Promise<FileHandle> | null = null;

  constructor(readonly file: string) {}

  private opened(): Promise<FileHandle> {
    if (this.handle === null) {
      const opening = fs.open(this.file, 'r');
      // A file that could not be opened is tried again next time.
      opening.catch(() => {
        if (this.handle === opening) this.handle = null;
      });
      this.handle = opening;
    }
    return this.handle;
  }

  async read(length: number, position = 0): Promise<Uint8Array<ArrayBuffer>> {
    const buffer = new Uint8Array(length);
    if (length === 0) return buffer;
    const { bytesRead } = await (await this.opened()).read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  }

  readFile(options?: object): Promise<Uint8Array<ArrayBuffer>>;
  readFile(options: Encoding): Promise<string>;
  async readFile(options?: object | Encoding): Promise<Uint8Array<ArrayBuffer> | string> {
    const encoding =
      typeof options === 'string'
        ? options
        : (options as { encoding?: BufferEncoding } | undefined)?.encoding;
    if (encoding !== undefined) return fs.readFile(this.file, { encoding });
    return new Uint8Array(await fs.readFile(this.file));
  }

  async stat(): Promise<{ size: number }> {
    return (await this.opened()).stat();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle !== null) await (await handle).close();
  }
}
