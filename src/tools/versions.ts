/**
 * Each job records the versions of the tools it actually ran, on the node it ran on, in
 * `tool-versions.tsv`: provenance comes from the job, not from the worker's machine.
 */
export const TOOLS = ['bwa', 'minimap2', 'samtools', 'bcftools', 'htslib'] as const;
export type Tool = (typeof TOOLS)[number];

/** Bash snippets that print one version line each; none can fail the script under pipefail. */
const PROBES: Readonly<Record<Tool, string>> = {
  bwa: `{ bwa 2>&1 || true; } | sed -n 's/^Version: //p'`,
  minimap2: `minimap2 --version`,
  samtools: `samtools --version | sed -n '1s/^samtools //p'`,
  bcftools: `bcftools --version | sed -n '1s/^bcftools //p'`,
  htslib: `samtools --version | sed -n '2s/^Using htslib //p'`,
};

/** Lines that write `tool-versions.tsv` (tool, version) for the given tools. */
export function versionProbeLines(tools: readonly Tool[], file = 'tool-versions.tsv'): string[] {
  const unique = [...new Set(tools)];
  const probes = unique.map((tool) => `  printf '%s\\t%s\\n' ${tool} "$(${PROBES[tool]})"`);
  return [
    ...(probes.length > 0 ? ['{', ...probes, `} > ${file}.tmp`] : [`: > ${file}.tmp`]),
    `mv -f -- ${file}.tmp ${file}`,
  ];
}

/** Parses `tool-versions.tsv`. */
export function parseToolVersions(text: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [tool, version] = line.split('\t');
    if (tool && version !== undefined) versions[tool] = version.trim();
  }
  return versions;
}
