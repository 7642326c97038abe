/**
 * Beacon v2 queries brought to the lookup's terms: 0-based `start` and exclusive `end` to 1-based
 * VCF positions, `referenceName` to the release's own names, allele matching (wildcards, trimmed
 * alleles, variant types), and the GET and POST forms of a query to one checked request.
 */
import { describe, expect, it } from 'vitest';
import {
  allelesMatch,
  beaconStart,
  lookupPosition,
  lookupWindow,
  resolveReferenceName,
  variantTypeOf,
} from '../../src/api/beacon/coordinates.ts';
import {
  MAX_LIMIT,
  requestFromBody,
  requestFromQuery,
  variantBodySchema,
  variantQuerySchema,
} from '../../src/api/beacon/request.ts';

describe('Beacon coordinates', () => {
  it('name VCF POS p by start p - 1, and back', () => {
    // Beacon's own example: start=7577121 is VCF POS 7577122 (Beacon v0.3 pos, 1-based).
    expect(lookupPosition(7577121)).toBe(7577122);
    expect(lookupPosition(0)).toBe(1);
    expect(beaconStart(5581)).toBe(5580);
    expect(beaconStart(lookupPosition(123))).toBe(123);
  });

  it('make [start, end) the 1-based inclusive window [start + 1, end]', () => {
    expect(lookupWindow('chr1', 0, 100, 1000)).toEqual({ chrom: 'chr1', start: 1, end: 100 });
    // One base: [99, 100) is POS 100 alone.
    expect(lookupWindow('chr1', 99, 100, 1000)).toEqual({ chrom: 'chr1', start: 100, end: 100 });
  });

  it('refuse an empty or over-wide range', () => {
    expect(() => lookupWindow('chr1', 100, 100, 1000)).toThrow(/greater than start/);
    expect(() => lookupWindow('chr1', 100, 50, 1000)).toThrow(/greater than start/);
    expect(lookupWindow('chr1', 0, 1000, 1000).end).toBe(1000);
    expect(() => lookupWindow('chr1', 0, 1001, 1000)).toThrow(/at most 1000/);
  });
});

describe('resolveReferenceName', () => {
  const chrNamed = ['chr1', 'chr2', 'chrX', 'chrY'];
  it.each([
    { asked: 'chr1', names: chrNamed, is: 'chr1' },
    { asked: '1', names: chrNamed, is: 'chr1' },
    { asked: 'X', names: chrNamed, is: 'chrX' },
    { asked: 'chr2', names: ['1', '2'], is: '2' },
    { asked: '2', names: ['1', '2'], is: '2' },
    // The release's own name wins over the other spelling.
    { asked: '1', names: ['1', 'chr1'], is: '1' },
    { asked: 'chr1', names: ['1', 'chr1'], is: 'chr1' },
  ])('$asked among $names is $is', ({ asked, names, is }) => {
    expect(resolveReferenceName(asked, names)).toBe(is);
  });

  it.each(['NC_000001.11', 'refseq:NC_000001.11', 'chr3', '3', 'chr1_alt', 'x'])(
    'refuses %s, naming the release sequences',
    (asked) => {
      expect(() => resolveReferenceName(asked, chrNamed)).toThrow(/chr1, chr2, chrX, chrY/);
    },
  );
});

describe('allele matching', () => {
  const snv = { pos: 100, ref: 'A', alt: 'G' };
  const deletion = { pos: 100, ref: 'ACT', alt: 'A' };
  const insertion = { pos: 100, ref: 'A', alt: 'ATCC' };
  it('types variants by their alleles', () => {
    expect(variantTypeOf('A', 'G')).toBe('SNP');
    expect(variantTypeOf('AC', 'GT')).toBe('MNP');
    expect(variantTypeOf('ACT', 'A')).toBe('DEL');
    expect(variantTypeOf('A', 'ATCC')).toBe('INS');
    expect(variantTypeOf('AC', 'TGG')).toBe('INDEL');
  });

  it('matches bases exactly or by N', () => {
    expect(allelesMatch({ alternateBases: 'G' }, snv)).toBe(true);
    expect(allelesMatch({ alternateBases: 'N' }, snv)).toBe(true);
    expect(allelesMatch({ alternateBases: 'T' }, snv)).toBe(false);
    expect(allelesMatch({ referenceBases: 'ANN', alternateBases: 'A' }, deletion)).toBe(true);
    expect(allelesMatch({ referenceBases: 'AN' }, deletion)).toBe(false);
    expect(allelesMatch({ variantType: 'DEL' }, deletion)).toBe(true);
    expect(allelesMatch({ variantType: 'SNP' }, deletion)).toBe(false);
  });

  it('matches trimmed alleles against the VCF alleles less their first base', () => {
    const trimmed = true;
    expect(allelesMatch({ referenceBases: 'CT', alternateBases: '', trimmed }, deletion)).toBe(
      true,
    );
    expect(allelesMatch({ referenceBases: 'C', alternateBases: '-', trimmed }, deletion)).toBe(
      false,
    );
    expect(allelesMatch({ alternateBases: '', trimmed }, deletion)).toBe(true);
    expect(allelesMatch({ referenceBases: '', alternateBases: 'TCC', trimmed }, insertion)).toBe(
      true,
    );
    expect(allelesMatch({ referenceBases: '.', alternateBases: 'TCC', trimmed }, snv)).toBe(false);
  });
});

describe('a Beacon query', () => {
  const get = (query: Record<string, string>) => requestFromQuery(variantQuerySchema.parse(query));
  const post = (body: unknown) => requestFromBody(variantBodySchema.parse(body));

  it('is the same request by GET and by POST, flat or under g_variant', () => {
    const parameters = {
      referenceName: 'chr1',
      start: 5580,
      referenceBases: 'a',
      alternateBases: 'g',
    };
    const byGet = get({ ...parameters, start: '5580', requestedGranularity: 'record' });
    const flat = post({ query: { requestParameters: parameters, requestedGranularity: 'record' } });
    const nested = post({
      meta: { apiVersion: 'v2.0' },
      query: {
        requestParameters: { g_variant: { ...parameters, start: [5580] } },
        requestedGranularity: 'record',
      },
    });
    expect(byGet).toEqual(flat);
    expect(nested).toEqual(flat);
    expect(flat).toMatchObject({ start: 5580, referenceBases: 'A', alternateBases: 'G' });
    expect(flat).toMatchObject({ releaseId: 'latest', skip: 0, limit: 10 });
  });

  it('takes granularity, paging and the release from the request', () => {
    expect(get({ referenceName: '1', start: '0', end: '10' }).granularity).toBe('boolean');
    const paged = get({
      referenceName: '1',
      start: '0',
      end: '10',
      requestedGranularity: 'count',
      skip: '20',
      limit: '0',
      datasetIds: '20261202T014130.338Z',
    });
    expect(paged).toMatchObject({ granularity: 'count', skip: 20, limit: MAX_LIMIT });
    expect(paged.releaseId).toBe('20261202T014130.338Z');
  });

  it.each([
    [{ referenceName: '1' }, /give referenceName and start/],
    [{ referenceName: '1', start: '5' }, /needs alternateBases/],
    [{ referenceName: '1', start: '5,9', end: '20' }, /bracket queries/],
    [{ referenceName: '1', start: '5', alternateBases: '', referenceBases: '' }, /both be empty/],
    [{ referenceName: '1', start: '5', end: '9', variantType: 'DUP' }, /sequence variants only/],
    [{ referenceName: '1', start: '5', end: '9', filters: 'NCIT:C1' }, /no filtering terms/],
    [{ referenceName: '1', start: '5', end: '9', datasetIds: 'a,b' }, /one release at a time/],
  ])('refuses %j', (query, message) => {
    expect(() => get(query)).toThrow(message);
  });

  it('refuses parameters it cannot answer, by name', () => {
    const unknown = variantQuerySchema.safeParse({ referenceName: '1', geneId: 'BRCA2' });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error?.issues)).toContain('geneId');
    const iupac = variantQuerySchema.safeParse({ referenceName: '1', alternateBases: 'R' });
    expect(iupac.success).toBe(false);
  });
});
