/** Page tokens of the WES run list. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * WES page tokens: Temporal's, signed with the data root's secret, so that a token this server
 * did not give is refused here instead of being sent on.
 */
export function pageTokenCodec(secret: Buffer) {
  const sign = (token: Buffer) =>
    createHmac('sha256', secret)
      .update('wes-page-token')
      .update(token)
      .digest('base64url')
      .slice(0, 22);
  return {
    encode: (token: Buffer) => `${token.toString('base64url')}.${sign(token)}`,
    decode(text: string): Buffer | null {
      const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/.exec(text);
      if (!match) return null;
      const token = Buffer.from(match[1]!, 'base64url');
      const expected = Buffer.from(sign(token));
      const given = Buffer.from(match[2]!);
      return expected.length === given.length && timingSafeEqual(expected, given) ? token : null;
    },
  };
}
