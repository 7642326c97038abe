/**
 * Personal numbers never reach a log or the audit trail: a CPR-shaped number in a logged value
 * is replaced by a salted hash of it (`cpr:<12 hex>`), so that repeated attempts with the same
 * number can be told apart without the number. The salt is per data root (`run/redaction-salt`,
 * mode 0600, made once); without one, per process.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { replaceCprNumbers } from '../domain/id-rules.ts';

export type Redact = (text: string) => string;

/** The data root's salt, made on first use; a data root that cannot be written gets a fresh one. */
export function loadSalt(dataRoot: string): Buffer {
  const file = path.join(dataRoot, 'run', 'redaction-salt');
  const known = salts.get(file);
  if (known) return known;
  const salt = readOrMakeSalt(file);
  salts.set(file, salt);
  return salt;
}

/** Salts read in this process, by file: the logger, the audit trail and WES tokens share one read. */
const salts = new Map<string, Buffer>();

function readOrMakeSalt(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    const salt = randomBytes(32);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, salt, { mode: 0o600, flag: 'wx' });
      return salt;
    } catch {
      // Another process made it first, or the folder is read-only.
      try {
        return fs.readFileSync(file);
      } catch {
        return salt;
      }
    }
  }
}

/** A salted, shortened hash of a refused value: the same value gives the same text. */
export function saltedHash(salt: Buffer, value: string): string {
  return createHmac('sha256', salt).update(value, 'utf8').digest('hex').slice(0, 12);
}

export function personalNumberRedactor(salt: Buffer = randomBytes(32)): Redact {
  return (text) => replaceCprNumbers(text, (number) => `cpr:${saltedHash(salt, number)}`);
}

/**
 * Every string in a plain value (objects, arrays; a few levels deep) redacted; others kept. An
 * Error becomes `{ type, message, stack, code… }` (what pino's err serializer writes), so that
 * a logged failure keeps its message wherever it stands in the object.
 */
export function redactDeep(value: unknown, redact: Redact, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const own = redactDeep({ ...value }, redact, depth + 1) as Record<string, unknown>;
    return {
      type: value.name,
      message: redact(value.message),
      ...(value.stack ? { stack: redact(value.stack) } : {}),
      ...own,
      ...(value.cause !== undefined ? { cause: redactDeep(value.cause, redact, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[redact(key)] = redactDeep(v, redact, depth + 1);
  return out;
}
