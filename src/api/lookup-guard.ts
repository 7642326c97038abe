/**
 * What stands between a frequency reader and the lookup routes besides its token: a rate limit
 * per token (a token bucket, so a department's burst of lookups passes and a scraper does not),
 * and the access log NGC's access statistics are counted from (`logs/frequency-access.jsonl`,
 * one JSON line per lookup, with the token's name).
 */
import fs from 'node:fs';
import path from 'node:path';

interface Bucket {
  tokens: number;
  at: number;
}

/** Per-name token buckets: `rate` requests per second, up to `burst` at once. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  /** Takes one request from `name`'s bucket: null if allowed, else seconds until one is. */
  take(name: string, nowMs = Date.now()): number | null {
    const bucket = this.buckets.get(name) ?? { tokens: this.burst, at: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.rate);
    bucket.at = nowMs;
    this.buckets.set(name, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}

/** One line of the access log. */
export interface AccessEntry {
  at: string;
  /** The token's name (a department), or the role of a development token. */
  token: string;
  role: string;
  route: string;
  params: Record<string, string>;
  query: Record<string, string>;
  status: number;
  ms: number;
}

export const ACCESS_LOG = 'frequency-access.jsonl';

/** Appends lookups to the access log through one stream (no open or fsync per request). */
export class AccessLog {
  private readonly stream: fs.WriteStream;

  constructor(logsDir: string) {
    fs.mkdirSync(logsDir, { recursive: true });
    this.stream = fs.createWriteStream(path.join(logsDir, ACCESS_LOG), { flags: 'a', mode: 0o640 });
  }

  write(entry: AccessEntry): void {
    this.stream.write(`${JSON.stringify(entry)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
