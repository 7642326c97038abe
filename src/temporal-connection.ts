/**
 * How every harmonise process reaches Temporal: the frontend's address, TLS (the CA, the client
 * certificate and key for mTLS, the server name) and an API key (Temporal Cloud). The worker's
 * native connection, the client of the CLI and the API, and the service commands all take
 * their options from here, so that one setting changes all of them.
 */
import type { TLSConfig } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import type { Config } from './config.ts';
import { HarmoniseError, errorMessage } from './errors.ts';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/** The options of a connection to the configured Temporal frontend (files are read now). */
export function temporalConnectionOptions(temporal: Config['temporal']): TemporalConnectionOptions {
  const apiKey = readApiKey(temporal);
  if (!temporal.tls.enabled) {
    if (apiKey !== null) {
      throw new HarmoniseError(
        'CONFIG_INVALID',
        'an API key is sent only over TLS: unset HARMONISE_TEMPORAL_TLS=false, or the API key',
      );
    }
    return { address: temporal.address };
  }
  const { ca, cert, key, serverName } = temporal.tls;
  if ((cert === null) !== (key === null)) {
    throw new HarmoniseError(
      'CONFIG_INVALID',
      'mTLS needs both HARMONISE_TEMPORAL_TLS_CERT and HARMONISE_TEMPORAL_TLS_KEY (one is set)',
    );
  }
  const tls: TLSConfig = {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(ca ? { serverRootCACertificate: readSetting(ca, 'HARMONISE_TEMPORAL_TLS_CA') } : {}),
    ...(cert && key
      ? {
          clientCertPair: {
            crt: readSetting(cert, 'HARMONISE_TEMPORAL_TLS_CERT'),
            key: readSetting(key, 'HARMONISE_TEMPORAL_TLS_KEY'),
          },
        }
      : {}),
  };
  return { address: temporal.address, tls, ...(apiKey !== null ? { apiKey } : {}) };
}

/** Says how a connection is secured, for messages and `up --json` (no secret in it). */
export function describeTemporalSecurity(temporal: Config['temporal']): string {
  if (!temporal.tls.enabled) return 'plaintext';
  const parts = [temporal.tls.cert ? 'mTLS' : 'TLS'];
  if (temporal.apiKeyFile || temporal.apiKey) parts.push('API key');
  return parts.join(' + ');
}

function readApiKey(temporal: Config['temporal']): string | null {
  if (temporal.apiKeyFile && temporal.apiKey) {
    throw new HarmoniseError(
      'CONFIG_INVALID',
      'set HARMONISE_TEMPORAL_API_KEY_FILE or HARMONISE_TEMPORAL_API_KEY, not both',
    );
  }
  if (temporal.apiKeyFile) {
    const value = readSetting(temporal.apiKeyFile, 'HARMONISE_TEMPORAL_API_KEY_FILE')
      .toString('utf8')
      .trim();
    if (value === '') {
      throw new HarmoniseError(
        'CONFIG_INVALID',
        `HARMONISE_TEMPORAL_API_KEY_FILE names an empty file: ${temporal.apiKeyFile}`,
      );
    }
    return value;
  }
  return temporal.apiKey;
}

function readSetting(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new HarmoniseError(
      'CONFIG_INVALID',
      `${variable} names a file that cannot be read (${file}): ${errorMessage(error)}`,
    );
  }
}
