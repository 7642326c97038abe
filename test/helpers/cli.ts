/** Runs the `harmonise` command as a user would, against its own data root and ports. */
import { execa } from 'execa';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config.ts';
import { freePort } from './ports.ts';

export const BIN = path.join(PROJECT_ROOT, 'bin', 'harmonise.js');

export interface CliEnv {
  dataRoot: string;
  env: Record<string, string>;
}

export async function cliEnv(dataRoot: string): Promise<CliEnv> {
  const port = await freePort();
  const uiPort = await freePort();
  return {
    dataRoot,
    env: {
      HARMONISE_DATA: dataRoot,
      HARMONISE_TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      HARMONISE_TEMPORAL_UI_PORT: String(uiPort),
      HARMONISE_API_PORT: String(await freePort()),
      HARMONISE_LOG_LEVEL: 'info',
    },
  };
}

export function harmonise(cli: CliEnv, args: string[], extraEnv: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: { ...cli.env, ...extraEnv },
  });
}
