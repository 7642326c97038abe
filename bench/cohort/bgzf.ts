/**
 * BGZF, the blocked gzip htslib reads (and `bgzip` writes): gzip members of at most 64 KiB with
 * a `BC` extra field holding the member's size, then an empty end-of-file member. Written here
 * so that thousands of gVCFs need no `bgzip` process each; the deflate work runs on libuv's
 * thread pool, beside the JavaScript that makes the next genome.
 */
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);

/** Uncompressed bytes per member, as bgzip uses (BGZF_BLOCK_SIZE - header room). */
const BLOCK = 0xff00;

export const BGZF_EOF = Buffer.from(
  '1f8b08040000000000ff0600424302001b0003000000000000000000',
  'hex',
);

async function member(data: Buffer): Promise<Buffer> {
  const body = await deflate(data, { level: 6 });
  const out = Buffer.alloc(18 + body.length + 8);
  out.set([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0]);
  out.writeUInt16LE(out.length - 1, 16);
  body.copy(out, 18);
  out.writeUInt32LE(crc32(data), 18 + body.length);
  out.writeUInt32LE(data.length, 22 + body.length);
  if (out.length > 0x10000) throw new Error('a BGZF member came out larger than 64 KiB');
  return out;
}

/** The whole text as one BGZF file, end-of-file member included. */
export async function bgzf(text: string): Promise<Buffer> {
  const data = Buffer.from(text, 'latin1');
  const members: Promise<Buffer>[] = [];
  for (let at = 0; at < data.length; at += BLOCK)
    members.push(member(data.subarray(at, at + BLOCK)));
  return Buffer.concat([...(await Promise.all(members)), BGZF_EOF]);
}
