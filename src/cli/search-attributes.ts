/** Registers harmonise's search attributes (src/shared.ts) on a Temporal namespace; idempotent. */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared.ts';
import type { TemporalConnectionOptions } from '../temporal-connection.ts';

export async function ensureSearchAttributes(
  server: TemporalConnectionOptions,
  namespace: string,
): Promise<string[]> {
  const connection = await Connection.connect(server);
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = Object.keys(SEARCH_ATTRIBUTE_TYPES).filter((name) => !known.has(name));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map((name) => [
            name,
            proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          ]),
        ),
      });
    }
    return missing;
  } finally {
    await connection.close();
  }
}
