/**
 * The national frequency lookup page (`GET /frequency`) in a real browser (Debian's chromium,
 * headless, driven by playwright-core) against a running API and its latest release: with a
 * frequency reader's token it shows a variant's counts per region and nationally equal to the
 * release VCF's INFO fields, one AF bar per region, a variant under the floor with no number, an
 * absent variant as not seen, a REF that is not the reference's as the API's 400, a window's
 * variants in the VCF's order page by page, each linking to its own answer, and the release's
 * provenance; a token that is not valid is refused. Leaves a full-page screenshot of the variant.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

export interface LookupPageOptions {
  /** The API's base URL, e.g. http://127.0.0.1:8080. */
  api: string;
  /** A frequency-reader token (the floor applies to it). */
  readerToken: string;
  /** The latest release's frequencies.vcf.gz. */
  vcf: string;
  /** Where the full-page screenshot goes (a .png). */
  screenshot: string;
  /** The browser (default HARMONISE_CHROMIUM or /usr/bin/chromium). */
  chromium?: string;
}

/** What the page asks for per window page (lookup-page.html's PAGE_SIZE). */
const PAGE_SIZE = 50;
/** Window pages walked through at most. */
const MAX_PAGES = 3;

interface Site {
  id: string;
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  info: Map<string, string>;
}

interface Dataset {
  releaseId: string;
  sites: number;
  regions: string[];
  sequences: Record<string, number>;
  coverage: unknown;
  files: Record<string, { sha256: string }>;
  privacy: { floor: number; belowFloor: 'flag' | 'hide' };
}

async function readSites(vcf: string): Promise<Site[]> {
  const { stdout } = await execa('zcat', [vcf], { maxBuffer: 1 << 30 });
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [chrom = '', pos = '', , ref = '', alt = '', , , infoText = ''] = line.split('\t');
      const info = new Map(
        infoText.split(';').map((entry) => {
          const eq = entry.indexOf('=');
          return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
        }),
      );
      return { id: `${chrom}-${pos}-${ref}-${alt}`, chrom, pos: Number(pos), ref, alt, info };
    });
}

const count = (site: Site, tag: string) => Number(site.info.get(tag));
const underFloor = (ac: number, floor: number) => ac > 0 && ac < floor;

/** A site readers see every count of: AC ≥ floor, each region 0 or ≥ floor (most regions). */
function fullyShown(sites: Site[], data: Dataset): Site {
  const { floor } = data.privacy;
  const candidates = sites.filter(
    (s) =>
      count(s, 'AC') >= floor &&
      data.regions.every((r) => !underFloor(count(s, `AC_${r}`), floor)) &&
      data.regions.every((r) => s.info.has(`AC_${r}`)),
  );
  const carriers = (s: Site) => data.regions.filter((r) => count(s, `AC_${r}`) > 0).length;
  const best = candidates.sort((a, b) => carriers(b) - carriers(a))[0];
  if (best === undefined)
    throw new Error(`the release has no variant with AC ≥ ${floor} and no region under it`);
  return best;
}

const numberIn = async (cell: Locator) => Number((await cell.innerText()).replace(/,/g, ''));

/** One row of counts (a region's or the nation's) against the VCF's tags with `suffix`. */
async function expectCounts(row: Locator, site: Site, suffix: string) {
  expect(await row.getAttribute('data-suppressed')).toBeNull();
  expect(await numberIn(row.locator('[data-field="AC"]'))).toBe(count(site, `AC${suffix}`));
  expect(await numberIn(row.locator('[data-field="AN"]'))).toBe(count(site, `AN${suffix}`));
  const af = site.info.get(`AF${suffix}`);
  const cell = row.locator('[data-field="AF"]');
  if (af === '.' || count(site, `AN${suffix}`) === 0) {
    expect(await cell.getAttribute('data-value')).toBe('');
    return;
  }
  expect(Number(await cell.getAttribute('data-value'))).toBe(Number(af));
  // Shown to 4 significant digits.
  expect(Number(await cell.innerText())).toBeCloseTo(Number(af), 3);
  expect(await numberIn(row.locator('[data-field="nhomalt"]'))).toBe(
    count(site, `nhomalt${suffix}`),
  );
}

async function search(page: Page, query: string) {
  await page.locator('#q').fill(query);
  await page.locator('#search button[type="submit"]').click();
}

async function expectShownVariant(page: Page, site: Site, data: Dataset, token: string) {
  await search(page, site.id);
  const result = page.locator(`#result[data-variant="${site.id}"]`);
  await result.waitFor({ timeout: 30_000 });
  expect(await result.getAttribute('data-found')).toBe('true');
  expect(await result.getAttribute('data-audience')).toBe('reader');
  // The query is in the fragment; the token is nowhere in the address.
  expect(page.url()).toBe(`${new URL(page.url()).origin}/frequency#q=${site.id}`);
  for (const region of data.regions)
    await expectCounts(result.locator(`tr[data-region="${region}"]`), site, `_${region}`);
  await expectCounts(result.locator('tr[data-national]'), site, '');

  // One bar per region, as long as its AF (the scale is the page's own).
  const bars = result.locator('#af-chart rect[data-bar]');
  expect(await bars.count()).toBe(data.regions.length);
  const drawn = await bars.evaluateAll((rects) =>
    rects.map((r) => ({
      region: r.getAttribute('data-region'),
      af: r.getAttribute('data-af'),
      width: Number(r.getAttribute('width')),
      label: r.getAttribute('aria-label'),
    })),
  );
  expect(drawn.map((d) => d.region)).toEqual(data.regions);
  const widest = drawn.reduce((a, b) => (b.width > a.width ? b : a));
  for (const bar of drawn) {
    const af = count(site, `AF_${bar.region}`);
    expect(Number(bar.af)).toBe(af);
    expect(bar.label).toMatch(/AF /);
    if (widest.width > 0) expect(bar.width / widest.width).toBeCloseTo(af / Number(widest.af), 3);
  }

  const chrom = site.chrom.replace(/^chr/, '');
  expect(await result.locator('a[data-link="gnomAD v4"]').getAttribute('href')).toBe(
    `https://gnomad.broadinstitute.org/variant/${chrom}-${site.pos}-${site.ref}-${site.alt}?dataset=gnomad_r4`,
  );
  const hrefs = await page.locator('a').evaluateAll((links) => links.map((a) => a.href));
  expect(hrefs.filter((href) => href.includes(token))).toEqual([]);
}

async function expectBelowFloor(page: Page, site: Site, data: Dataset) {
  // Written as a clinician might: the page maps it to chrom-pos-ref-alt.
  await search(page, `${site.chrom}:${site.pos} ${site.ref}>${site.alt}`);
  const result = page.locator(`#result[data-variant="${site.id}"]`);
  await result.waitFor({ timeout: 30_000 });
  if (data.privacy.belowFloor === 'hide') {
    expect(await result.getAttribute('data-verdict')).toBe('not-reported');
    return;
  }
  expect(await result.getAttribute('data-below-floor')).toBe('true');
  expect(await result.innerText()).toMatch(/Present, below the reporting floor/);
  expect(await result.locator('[data-field]').count()).toBe(0);
  expect(await result.locator('#af-chart').count()).toBe(0);
  expect(await result.locator('tr[data-suppressed]').count()).toBeGreaterThan(data.regions.length);
  expect(await result.locator('tr[data-suppressed]').first().innerText()).toMatch(
    new RegExp(`below the reporting floor \\(AC < ${data.privacy.floor}\\)`),
  );
}

/** An SNV at the shown site's position that the release does not hold: not seen. */
async function expectNotSeen(page: Page, site: Site, sites: Site[], data: Dataset) {
  const ref = site.ref[0]!;
  const held = new Set(sites.filter((s) => s.pos === site.pos).map((s) => s.id));
  const alt = ['A', 'C', 'G', 'T'].find(
    (b) => b !== ref && !held.has(`${site.chrom}-${site.pos}-${ref}-${b}`),
  )!;
  const id = `${site.chrom}-${site.pos}-${ref}-${alt}`;
  await search(page, id);
  const result = page.locator(`#result[data-variant="${id}"]`);
  await result.waitFor({ timeout: 30_000 });
  const verdict = data.coverage === null ? 'unknown' : 'not-seen';
  expect(await result.getAttribute('data-verdict')).toBe(
    data.privacy.belowFloor === 'hide' ? 'not-reported' : verdict,
  );
  if (verdict === 'not-seen' && data.privacy.belowFloor === 'flag') {
    expect(await result.innerText()).toMatch(/Not seen among [\d,]+ alleles/);
    expect(await numberIn(result.locator('tr[data-national] [data-field="AN"]'))).toBeGreaterThan(
      0,
    );
  }

  // A REF that is not the reference's: the API's 400, said on the page.
  const wrong = ['A', 'C', 'G', 'T'].find((b) => b !== ref)!;
  await search(page, `${site.chrom}-${site.pos}-${wrong}-${ref}`);
  const problem = page.locator('#problem[data-status="400"]');
  await problem.waitFor({ timeout: 30_000 });
  expect(await problem.innerText()).toMatch(/is not the reference/);
}

const listed = (page: Page) =>
  page
    .locator('#window-list tbody tr[data-variant]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-variant')));

/** A window's variants, in the VCF's order, page by page; each links to its own answer. */
async function expectWindow(page: Page, site: Site, sites: Site[], data: Dataset) {
  const { floor, belowFloor } = data.privacy;
  const end = Math.min(data.sequences[site.chrom]!, 1_000_000);
  const expected = sites
    .filter((s) => s.chrom === site.chrom && s.pos <= end)
    .filter((s) => belowFloor === 'flag' || !underFloor(count(s, 'AC'), floor))
    .map((s) => s.id);
  await search(page, `${site.chrom}:1-${end}`);
  for (let p = 1; p <= MAX_PAGES; p++) {
    await page.locator(`#result[data-kind="window"][data-page="${p}"]`).waitFor({
      timeout: 30_000,
    });
    expect(await listed(page)).toEqual(expected.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE));
    const next = page.locator('#next-page');
    if (expected.length <= p * PAGE_SIZE) {
      expect(await next.isDisabled()).toBe(true);
      break;
    }
    expect(await next.getAttribute('data-next-page-token')).toMatch(/./);
    await next.click();
  }

  const from = Math.max(1, site.pos - 2_000);
  await search(page, `${site.chrom}:${from}-${site.pos + 2_000}`);
  await page.locator('#result[data-kind="window"][data-page="1"]').waitFor({ timeout: 30_000 });
  const near = sites
    .filter((s) => s.chrom === site.chrom && s.pos >= from && s.pos <= site.pos + 2_000)
    .filter((s) => belowFloor === 'flag' || !underFloor(count(s, 'AC'), floor));
  expect(await listed(page)).toEqual(near.slice(0, PAGE_SIZE).map((s) => s.id));
  await page.locator(`#window-list tr[data-variant="${site.id}"] a`).click();
  await page.locator(`#result[data-kind="variant"][data-variant="${site.id}"]`).waitFor({
    timeout: 30_000,
  });
}

async function expectProvenance(page: Page, data: Dataset, sites: Site[]) {
  const provenance = page.locator('#provenance');
  await provenance.locator('[data-prov="releaseId"]').waitFor({ timeout: 30_000 });
  expect(await provenance.locator('[data-prov="releaseId"]').innerText()).toBe(data.releaseId);
  expect(await numberIn(provenance.locator('[data-prov="sites"]'))).toBe(sites.length);
  expect(await provenance.locator('[data-file="frequencies.vcf.gz"]').innerText()).toContain(
    data.files['frequencies.vcf.gz']!.sha256,
  );
}

async function expectRefused(browser: Browser, api: string) {
  const page = await browser.newPage();
  try {
    await page.goto(`${api}/frequency#token=hm_not-a-token`);
    await page.locator('#error[data-status="401"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#content').isVisible()).toBe(false);
  } finally {
    await page.close();
  }
}

export async function checkLookupPage(options: LookupPageOptions): Promise<void> {
  const { api, readerToken } = options;
  const response = await fetch(`${api}/api/v1/frequency/datasets/latest`, {
    headers: { authorization: `Bearer ${readerToken}` },
  });
  const data = (await response.json()) as Dataset;
  expect(response.status, JSON.stringify(data)).toBe(200);
  // The VCF is the release the page answers from.
  const digest = createHash('sha256')
    .update(await fs.readFile(options.vcf))
    .digest('hex');
  expect(digest).toBe(data.files['frequencies.vcf.gz']?.sha256);
  const sites = await readSites(options.vcf);
  expect(sites.length).toBe(data.sites);
  const shown = fullyShown(sites, data);
  const below = sites.find((s) => underFloor(count(s, 'AC'), data.privacy.floor));
  expect(below, `a variant with 0 < AC < ${data.privacy.floor}`).toBeDefined();

  const page0 = await fetch(`${api}/frequency`);
  expect(page0.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(page0.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);

  const browser = await chromium.launch({
    executablePath: options.chromium ?? process.env.HARMONISE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    await expectRefused(browser, api);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(api) && !request.url().startsWith('data:'))
        external.push(request.url());
    });
    await page.goto(`${api}/frequency#token=${readerToken}`);
    await page.locator('#content').waitFor({ state: 'visible', timeout: 30_000 });
    // The token leaves the address bar once the page has it.
    expect(page.url()).toBe(`${api}/frequency`);
    await expectProvenance(page, data, sites);
    await expectShownVariant(page, shown, data, readerToken);
    await fs.mkdir(path.dirname(options.screenshot), { recursive: true });
    await page.screenshot({ path: options.screenshot, fullPage: true });
    expect((await fs.stat(options.screenshot)).size).toBeGreaterThan(10_000);
    await expectBelowFloor(page, below!, data);
    await expectNotSeen(page, shown, sites, data);
    await expectWindow(page, shown, sites, data);
    expect(external).toEqual([]);
    await page.close();
  } finally {
    await browser.close();
  }
}
