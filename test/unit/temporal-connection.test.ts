/**
 * How the Temporal settings become connection options: plaintext by default; the local
 * cluster's certificates without settings; TLS, mTLS and API keys from the variables, with a
 * clear error for every half-given or unreadable setting; and the data root's recorded server.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { temporalRecordFile } from '../../src/config-temporal.ts';
import {
  describeTemporalSecurity,
  temporalConnectionOptions,
} from '../../src/temporal-connection.ts';

let dir: string;
let files: { ca: string; cert: string; key: string; apiKey: string; empty: string };

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-tls-'));
  files = {
    ca: path.join(dir, 'ca.pem'),
    cert: path.join(dir, 'client.pem'),
    key: path.join(dir, 'client-key.pem'),
    apiKey: path.join(dir, 'api-key'),
    empty: path.join(dir, 'empty'),
  };
  await fs.writeFile(files.ca, 'CA');
  await fs.writeFile(files.cert, 'CERT');
  await fs.writeFile(files.key, 'KEY');
  await fs.writeFile(files.apiKey, 'secret-key\n');
  await fs.writeFile(files.empty, '');
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const temporal = (env: Record<string, string>) =>
  loadConfig({ HARMONISE_DATA: path.join(dir, 'data'), ...env }).temporal;

describe('temporal connection options', () => {
  it('are plaintext to the dev server by default', () => {
    const settings = temporal({});
    expect(settings.server).toBe('dev');
    expect(temporalConnectionOptions(settings)).toEqual({ address: '127.0.0.1:7233' });
    expect(describeTemporalSecurity(settings)).toBe('plaintext');
  });

  it("use the local cluster's certificates, unless other files are named", () => {
    const clusterDir = path.join(dir, 'cluster');
    const settings = temporal({
      HARMONISE_TEMPORAL_SERVER: 'cluster',
      HARMONISE_TEMPORAL_CLUSTER_DIR: clusterDir,
      HARMONISE_TEMPORAL_TLS_CERT: files.cert,
    });
    expect(settings.tls).toEqual({
      enabled: true,
      ca: path.join(clusterDir, 'certs', 'ca.pem'),
      cert: files.cert,
      key: path.join(clusterDir, 'certs', 'client-key.pem'),
      serverName: 'localhost',
    });
  });

  it('carry mTLS and the API key read from its file', () => {
    const options = temporalConnectionOptions(
      temporal({
        HARMONISE_TEMPORAL_ADDRESS: 'temporal.ngc.dk:7233',
        HARMONISE_TEMPORAL_TLS_CA: files.ca,
        HARMONISE_TEMPORAL_TLS_CERT: files.cert,
        HARMONISE_TEMPORAL_TLS_KEY: files.key,
        HARMONISE_TEMPORAL_TLS_SERVER_NAME: 'frontend.ngc.dk',
        HARMONISE_TEMPORAL_API_KEY_FILE: files.apiKey,
      }),
    );
    expect(options.address).toBe('temporal.ngc.dk:7233');
    expect(options.apiKey).toBe('secret-key');
    expect(options.tls?.serverNameOverride).toBe('frontend.ngc.dk');
    expect(options.tls?.serverRootCACertificate?.toString()).toBe('CA');
    expect(options.tls?.clientCertPair?.crt.toString()).toBe('CERT');
    expect(options.tls?.clientCertPair?.key.toString()).toBe('KEY');
  });

  it("turn TLS on for an API key alone (the system's CAs check the server)", () => {
    const settings = temporal({ HARMONISE_TEMPORAL_API_KEY: 'k' });
    expect(settings.tls.enabled).toBe(true);
    expect(temporalConnectionOptions(settings)).toEqual({
      address: '127.0.0.1:7233',
      tls: {},
      apiKey: 'k',
    });
    expect(describeTemporalSecurity(settings)).toBe('TLS + API key');
  });

  it('name what is wrong in a half-given or unreadable setting', () => {
    const refuse = (env: Record<string, string>) => () => temporalConnectionOptions(temporal(env));
    expect(refuse({ HARMONISE_TEMPORAL_TLS_CERT: files.cert })).toThrow(
      /both HARMONISE_TEMPORAL_TLS_CERT and HARMONISE_TEMPORAL_TLS_KEY/,
    );
    expect(refuse({ HARMONISE_TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') })).toThrow(
      /HARMONISE_TEMPORAL_TLS_CA names a file that cannot be read/,
    );
    expect(refuse({ HARMONISE_TEMPORAL_API_KEY_FILE: files.empty })).toThrow(/empty file/);
    expect(
      refuse({ HARMONISE_TEMPORAL_API_KEY_FILE: files.apiKey, HARMONISE_TEMPORAL_API_KEY: 'k' }),
    ).toThrow(/not both/);
    expect(refuse({ HARMONISE_TEMPORAL_API_KEY: 'k', HARMONISE_TEMPORAL_TLS: 'false' })).toThrow(
      /only over TLS/,
    );
    expect(() => temporal({ HARMONISE_TEMPORAL_SERVER: 'cloud' })).toThrow(/temporal.server/);
  });

  it("follow the server the data root's `up` last started", async () => {
    const dataRoot = path.join(dir, 'recorded');
    await fs.mkdir(path.dirname(temporalRecordFile(dataRoot)), { recursive: true });
    await fs.writeFile(temporalRecordFile(dataRoot), JSON.stringify({ server: 'cluster' }));
    expect(loadConfig({ HARMONISE_DATA: dataRoot }).temporal.server).toBe('cluster');
    expect(
      loadConfig({ HARMONISE_DATA: dataRoot, HARMONISE_TEMPORAL_SERVER: 'dev' }).temporal.server,
    ).toBe('dev');
  });
});
