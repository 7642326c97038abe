/**
 * What each `HARMONISE_*` environment variable means: the table docs/configuration.md is
 * generated from (`npm run docs:generate`). config.ts reads the variables and validates them;
 * this table only describes them, so that the reference is written once, beside the code it
 * describes. Each section of the table is a module of config-variables/; this file puts them in
 * the order of the docs. test/unit/docs-generated.test.ts checks the table against the code: every variable
 * src/ names is here, every setting of `configSchema` has its variable, and every fixed default
 * is what `loadConfig` gives.
 */
import { API_SECTION } from './config-variables/api.ts';
import { DATA_SECTION } from './config-variables/data.ts';
import { EXECUTOR_SECTION } from './config-variables/executor.ts';
import { FREQUENCY_SECTION } from './config-variables/frequency.ts';
import { INTAKE_SECTION } from './config-variables/intake.ts';
import { SLURM_SECTION } from './config-variables/slurm.ts';
import { TEMPORAL_SECTION } from './config-variables/temporal.ts';
import type { ConfigSection } from './config-variables/variable.ts';

export type {
  ConfigSection,
  ConfigSetting,
  ConfigVariable,
  VariableDefault,
} from './config-variables/variable.ts';

/** The sections in the order docs/configuration.md lists them. */
export const CONFIG_SECTIONS: readonly ConfigSection[] = [
  DATA_SECTION,
  TEMPORAL_SECTION,
  EXECUTOR_SECTION,
  SLURM_SECTION,
  API_SECTION,
  INTAKE_SECTION,
  FREQUENCY_SECTION,
];

/** A variable that code outside config.ts reads, and where. */
export interface VariableReadElsewhere {
  name: `HARMONISE_${string}`;
  /** The files that read it, from the repository root (each names it). */
  readIn: readonly string[];
  meaning: string;
}

export const VARIABLES_READ_ELSEWHERE: readonly VariableReadElsewhere[] = [
  {
    name: 'HARMONISE_TOKEN',
    readIn: ['src/cli/context.ts'],
    meaning:
      "the CLI's API token: an operator override the CLI makes itself (`--mode`) needs an operator token; `harmonise up` writes development tokens to `api-tokens.json` in the data root",
  },
  {
    name: 'HARMONISE_EXECUTOR',
    readIn: ['src/cli/context.ts'],
    meaning:
      'besides the setting above: whether it is set at all, which tells the CLI that the executor was chosen rather than defaulted',
  },
  {
    name: 'HARMONISE_JOB_ID',
    readIn: ['src/executors/local-job-file.ts'],
    meaning:
      "set by the local executor (`JOB_ID_ENV`, src/executors/local.ts) in every job's environment, never by hand: a restarted worker finds a job it lost track of by looking for it in running processes",
  },
];
