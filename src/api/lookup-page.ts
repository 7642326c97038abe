/**
 * The national frequency lookup page: `GET /frequency` serves one self-contained page (no script,
 * style, font or image from anywhere else) that looks a variant or a genomic window up through
 * the lookup routes (./rest-lookup.ts) with the caller's token, and shows the release's
 * provenance. It holds no data; links out to gnomAD, ClinVar and dbSNP are built in the browser
 * from the variant id and carry no token.
 */
import type { FastifyReply } from 'fastify';

export const LOOKUP_PAGE_HTML = new URL('./lookup-page.html', import.meta.url);

/**
 * Nothing from elsewhere: the page's own inline script and style, fetches to this server only,
 * no frames, no form posts, and no Referer on the way out (links open other sites).
 */
export const LOOKUP_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function lookupPage(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', LOOKUP_PAGE_CSP)
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .send(html);
}
