import { execa } from 'execa';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXIT_MARKER,
  OUTPUT_CHECKSUMS_NAME,
  parseOutputChecksums,
  renderJobScript,
  TOOL_VERSIONS_NAME,
} from '../../src/tools/job-script.ts';
import { hashFile } from '../../src/store/checksums.ts';
import { rename, renderLine, run, shellQuote } from '../../src/tools/shell.ts';
import { parseUsage, USAGE_NAME } from '../../src/tools/usage.ts';
import { parseToolVersions } from '../../src/tools/versions.ts';
import { waitFor } from '../helpers/wait.ts';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-script-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('shellQuote', () => {
  const nasty = [
    'plain',
    '',
    'with space',
    "it's",
    '$(touch /tmp/pwned)',
    '`id`',
    'a;b|c&d',
    '@RG\\tID:x\\tSM:x',
    "'''",
    '--flag=value',
    'line\nbreak',
    '*?[]{}~!#',
  ];
  it('round-trips every string through bash as one argument', async () => {
    const script = `printf '%s\\0' ${nasty.map(shellQuote).join(' ')}`;
    const { stdout } = await execa('bash', ['-c', script], { stripFinalNewline: false });
    expect(stdout.split('\0').slice(0, -1)).toEqual(nasty);
  });

  it('refuses NUL bytes', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('renders pipelines and renames', () => {
    expect(renderLine(run([['a', 'b c'], ['d']], 'out file'))).toBe(
      "a 'b c' \\\n  | d > 'out file'",
    );
    expect(renderLine(rename('x.tmp', 'x'))).toBe('mv -f -- x.tmp x');
    expect(() => renderLine(run([]))).toThrow();
  });
});

describe('renderJobScript', () => {
  async function runScript(name: string, lines: Parameters<typeof renderJobScript>[0]['lines']) {
    const workDir = path.join(dir, name);
    await fs.mkdir(workDir);
    const script = renderJobScript({ key: `wf/${name}/1`, workDir, tools: ['samtools'], lines });
    await fs.writeFile(path.join(workDir, 'job.sh'), script);
    const result = await execa('bash', ['job.sh'], { cwd: workDir, reject: false });
    const marker = await fs.readFile(path.join(workDir, EXIT_MARKER), 'utf8');
    return { workDir, script, result, exitCode: Number(marker.trim()) };
  }

  it('renames outputs into place and writes its exit code last, after its last line', async () => {
    const { workDir, script, exitCode } = await runScript('ok', [
      run([['printf', 'hello\\n']], 'out.txt.tmp'),
      rename('out.txt.tmp', 'out.txt'),
      // What the folder holds when the last line runs: the output, and no exit code yet.
      run([['ls']], 'listing.txt'),
    ]);
    expect(script).toContain('set -euo pipefail');
    expect(exitCode).toBe(0);
    expect(await fs.readFile(path.join(workDir, 'out.txt'), 'utf8')).toBe('hello\n');
    const listing = (await fs.readFile(path.join(workDir, 'listing.txt'), 'utf8')).split('\n');
    expect(listing).toContain('out.txt');
    expect(listing).not.toContain('out.txt.tmp');
    expect(listing).not.toContain(EXIT_MARKER);
    const versions = parseToolVersions(
      await fs.readFile(path.join(workDir, TOOL_VERSIONS_NAME), 'utf8'),
    );
    expect(versions.samtools).toMatch(/^\d+\.\d+/);
  });

  it('stops at a failing command inside a pipeline and never publishes the output', async () => {
    const { workDir, exitCode } = await runScript('pipefail', [
      run([['false'], ['cat']], 'out.txt.tmp'),
      rename('out.txt.tmp', 'out.txt'),
    ]);
    expect(exitCode).toBe(1);
    await expect(fs.access(path.join(workDir, 'out.txt'))).rejects.toThrow();
  });

  it('fails fast: stops at the first failing tool and reports its exit code', async () => {
    const { workDir, exitCode } = await runScript('exit3', [
      run([['bash', '-c', 'exit 3']]),
      run([['touch', 'after']]),
    ]);
    expect(exitCode).toBe(3);
    await expect(fs.access(path.join(workDir, 'after'))).rejects.toThrow();
  });

  it('never reports 0 for a script killed by a signal before its last line', async () => {
    const workDir = path.join(dir, 'killed');
    await fs.mkdir(workDir);
    const script = renderJobScript({
      key: 'wf/killed/1',
      workDir,
      tools: [],
      // It sleeps only to be killed mid-line; `started` says its traps are set by then.
      lines: [run([['touch', 'started']]), run([['sleep', '30']])],
    });
    await fs.writeFile(path.join(workDir, 'job.sh'), script);
    const job = execa('bash', ['job.sh'], { cwd: workDir, reject: false, detached: true });
    await waitFor(
      () =>
        fs.access(path.join(workDir, 'started')).then(
          () => true,
          () => false,
        ),
      { what: 'the killed script to reach its sleeping line' },
    );
    process.kill(-job.pid!, 'SIGTERM');
    await job;
    const marker = await fs.readFile(path.join(workDir, EXIT_MARKER), 'utf8');
    expect(Number(marker.trim())).toBe(143);
  });
});

describe('a job that measures itself', () => {
  async function runMeasured(name: string, lines: Parameters<typeof renderJobScript>[0]['lines']) {
    const workDir = path.join(dir, name);
    await fs.mkdir(workDir);
    const script = renderJobScript({ key: name, workDir, tools: [], lines, measureUsage: true });
    await fs.writeFile(path.join(workDir, 'job.sh'), script);
    const result = await execa('bash', ['job.sh'], { cwd: workDir, reject: false, input: 'x' });
    const marker = (await fs.readFile(path.join(workDir, EXIT_MARKER), 'utf8')).trim();
    const usage = parseUsage(await fs.readFile(path.join(workDir, USAGE_NAME), 'utf8'));
    return { result, marker, usage, workDir };
  }

  it('adds up the CPU time of every command and keeps the largest one peak memory', async () => {
    // Twenty short commands, each far under GNU time's 10 ms resolution on its own.
    const busy = Array.from({ length: 20 }, (_, i) =>
      run([['awk', 'BEGIN { for (i = 0; i < 30000; i++) s += i }']], `busy-${i}`),
    );
    const { result, marker, usage, workDir } = await runMeasured('measured', [
      ...busy,
      run([['head', '-c', '1'], ['cat']], 'stdin'),
      rename('stdin', 'done'),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(marker).toBe('0');
    expect(usage!.cpuSeconds).toBeGreaterThan(0);
    expect(usage!.peakRssMiB).toBeGreaterThan(0);
    // The steps read their own stdin, not the script.
    expect(await fs.readFile(path.join(workDir, 'done'), 'utf8')).toBe('x');
  });

  it('fails with the failing step and still says what it cost', async () => {
    const { result, marker, usage, workDir } = await runMeasured('measured-fail', [
      run([['sh', '-c', 'exit 3']]),
      run([['touch', 'never']]),
    ]);
    expect(result.exitCode).not.toBe(0);
    expect(marker).toBe('3');
    expect(usage).not.toBeNull();
    await expect(fs.access(path.join(workDir, 'never'))).rejects.toThrow();
  });
});

describe('a job that checksums its outputs', () => {
  it('writes the sha256 of each output it was told to, after its last step', async () => {
    const workDir = path.join(dir, 'checksums');
    await fs.mkdir(workDir);
    const script = renderJobScript({
      key: 'checksums',
      workDir,
      tools: [],
      lines: [
        run([['printf', 'a\\n']], 'one.txt'),
        run([['printf', 'b b']], 'two words.txt'),
        rename('two words.txt', 'two.txt'),
      ],
      checksumOutputs: ['one.txt', 'two.txt'],
    });
    await fs.writeFile(path.join(workDir, 'job.sh'), script);
    const result = await execa('bash', ['job.sh'], { cwd: workDir, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    const sums = parseOutputChecksums(
      await fs.readFile(path.join(workDir, OUTPUT_CHECKSUMS_NAME), 'utf8'),
    );
    expect(sums).toEqual({
      'one.txt': await hashFile(path.join(workDir, 'one.txt'), 'sha256'),
      'two.txt': await hashFile(path.join(workDir, 'two.txt'), 'sha256'),
    });
  });

  it('fails, writing no checksums, when an output is missing', async () => {
    const workDir = path.join(dir, 'checksums-missing');
    await fs.mkdir(workDir);
    const script = renderJobScript({
      key: 'checksums-missing',
      workDir,
      tools: [],
      lines: [run([['true']])],
      checksumOutputs: ['absent.txt'],
    });
    await fs.writeFile(path.join(workDir, 'job.sh'), script);
    const result = await execa('bash', ['job.sh'], { cwd: workDir, reject: false });
    expect(result.exitCode).not.toBe(0);
    await expect(fs.access(path.join(workDir, OUTPUT_CHECKSUMS_NAME))).rejects.toThrow();
  });
});
