/** The shape of the variables table: one variable, its default, and a section of them. */
import type { Config } from '../config.ts';

/** `temporal.address`: the dotted path of one setting of the validated configuration. */
type SettingPath<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string | number | boolean | null | readonly unknown[]
    ? `${Prefix}${K}`
    : SettingPath<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type ConfigSetting = SettingPath<Config>;

/**
 * A default is either a fixed value (which the test compares with `loadConfig({})`) or, where
 * it depends on the machine, the checkout or another variable, words that say what it is.
 */
export type VariableDefault =
  { value: string | number | boolean | null | readonly string[] } | { computed: string };

export interface ConfigVariable {
  name: `HARMONISE_${string}`;
  /** The setting it fills; null for the few that config.ts reads outside `loadConfig`. */
  setting: ConfigSetting | null;
  /** How its text is read, where the setting's type alone would mislead (lists, paths). */
  format?: string;
  default: VariableDefault;
  meaning: string;
}

export interface ConfigSection {
  title: string;
  variables: readonly ConfigVariable[];
}

/** The default of a variable that is unset unless given. */
export const NONE = { value: null } as const;
