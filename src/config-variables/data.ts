/** The "Data, pipelines and policy" variables: the data root, regions, pipeline specs, policy. */
import { NONE, type ConfigSection } from './variable.ts';

export const DATA_SECTION: ConfigSection = {
  title: 'Data, pipelines and policy',
  variables: [
    {
      name: 'HARMONISE_DATA',
      setting: 'dataRoot',
      format: 'path',
      default: { computed: '`var/` under the working directory' },
      meaning: 'the data root: inbox, catalogue, samples, releases and the embedded stack',
    },
    {
      name: 'HARMONISE_REGIONS',
      setting: 'regions',
      format: 'comma-separated region names (lower-case words)',
      default: {
        value: ['nordjylland', 'midtjylland', 'syddanmark', 'sjaelland', 'hovedstaden'],
      },
      meaning: 'the regions that submit; each has an inbox folder and a submitter role',
    },
    {
      name: 'HARMONISE_PIPELINES',
      setting: 'pipelinesDir',
      format: 'path',
      default: { computed: '`pipelines/` of this checkout' },
      meaning: 'the folder of national pipeline specs (`harmonise.pipeline/v1`)',
    },
    {
      name: 'HARMONISE_POLICY',
      setting: 'policyFile',
      format: 'path',
      default: { computed: '`policy.json` in the data root' },
      meaning:
        "NGC's harmonisation policy (`harmonise.policy/v1`); absent: every region `full`, the newest pipeline",
    },
    {
      name: 'HARMONISE_SPRING_BIN',
      setting: 'springBin',
      format: 'path',
      default: NONE,
      meaning: "the site's SPRING decompressor (not in Debian); without it SPRING input is refused",
    },
    {
      name: 'HARMONISE_DEMO_CACHE',
      setting: 'demoCache',
      format: 'path',
      default: NONE,
      meaning: 'a folder where `harmonise demo` keeps its generated submissions for other runs',
    },
    {
      name: 'HARMONISE_LOG_LEVEL',
      setting: 'logLevel',
      default: { value: 'info' },
      meaning: 'the level of the JSON log (pino)',
    },
  ],
};
