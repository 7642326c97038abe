/** The "Intake limits" variables: how much one submission or file may make intake read. */
import type { ConfigSection } from './variable.ts';

export const INTAKE_SECTION: ConfigSection = {
  title: 'Intake limits',
  variables: [
    {
      name: 'HARMONISE_INTAKE_MAX_SAMPLES',
      setting: 'intake.maxSamples',
      default: { value: 5000 },
      meaning: 'samples one manifest may list (`SUBMISSION_TOO_LARGE` beyond)',
    },
    {
      name: 'HARMONISE_INTAKE_MAX_MANIFEST_MIB',
      setting: 'intake.maxManifestMiB',
      default: { value: 64 },
      meaning: 'the size of `manifest.json` in MiB (`MANIFEST_TOO_LARGE` beyond)',
    },
    {
      name: 'HARMONISE_INTAKE_MAX_LINE_KIB',
      setting: 'intake.maxLineKiB',
      default: { value: 16 * 1024 },
      meaning: 'the length of one FASTQ or VCF line in KiB (`FILE_LINE_TOO_LONG` beyond)',
    },
    {
      name: 'HARMONISE_INTAKE_MAX_GZIP_RATIO',
      setting: 'intake.maxGzipRatio',
      default: { value: 100 },
      meaning:
        'decompressed bytes per compressed byte of a gzip file, after its first 16 MiB; 0 turns the check off',
    },
    {
      name: 'HARMONISE_INTAKE_MAX_DECOMPRESSED_GIB',
      setting: 'intake.maxDecompressedGiB',
      default: { value: 1024 },
      meaning: 'the decompressed size of one file in GiB (`FILE_DECOMPRESSES_TOO_LARGE` beyond)',
    },
    {
      name: 'HARMONISE_INTAKE_SECONDS',
      setting: 'intake.secondsPerFile',
      default: { value: 600 },
      meaning:
        'seconds of time, and of CPU, that checking one file may take (plus `HARMONISE_INTAKE_SECONDS_PER_GIB` per GiB of it)',
    },
    {
      name: 'HARMONISE_INTAKE_SECONDS_PER_GIB',
      setting: 'intake.secondsPerGiB',
      default: { value: 300 },
      meaning: "seconds added to a file's budget per GiB of it",
    },
  ],
};
