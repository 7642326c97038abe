/**
 * The running service (`harmonise up`, local executor) against a hostile user: ids that
 * traverse at the CLI and the API, personal numbers that must not reach a log, bodies and
 * tokens the API must refuse with a 4xx, a FIFO manifest and gzip bombs that must not stall
 * anyone else, a hostile intake stopped by terminating its workflow, a port taken by another
 * server, and Temporal down. The inbox stays byte-identical and no process is left behind.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopDevServer } from '../../src/cli/temporal-dev-server.ts';
import { HarmoniseClient } from '../../src/client.ts';
import { loadConfig } from '../../src/config.ts';
import type { SubmissionStatus } from '../../src/domain/status.ts';
import { isProcessAlive, processStartTime } from '../../src/platform/process.ts';
import { main } from '../../src/cli/main.ts';
import { sampleWorkflowId, submissionWorkflowId } from '../../src/shared.ts';
import { sampleStatusQuery } from '../../src/workflows/messages.ts';
import { cliEnv, harmonise, startStack, type CliEnv } from '../helpers/cli.ts';
import { TRAVERSALS, writeFastqBomb } from '../helpers/hostile.ts';
import { hashTree, writeSubmission } from '../helpers/inbox.ts';
import { execa } from 'execa';

let cli: CliEnv;
let root: string;
let client: HarmoniseClient;
let api: string;
let tokens: Record<string, string>;
let workerPid: number;
let inboxBefore: string;

const CPR = '010190-1234';
const BOMB_SECONDS = 40;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonise-hostile-e2e-'));
  cli = await cliEnv(root);
  Object.assign(cli.env, {
    // Hostile reads end on their time budget, not on the ratio (which would stop a bomb at once).
    HARMONISE_INTAKE_SECONDS: String(BOMB_SECONDS),
    HARMONISE_INTAKE_SECONDS_PER_GIB: '1',
    HARMONISE_INTAKE_MAX_GZIP_RATIO: '0',
  });
  // The benchmark pipeline: a normal submission is done in seconds, its jobs only sleep.
  await fs.writeFile(
    path.join(root, 'policy.json'),
    JSON.stringify({ schema: 'harmonise.policy/v1', pipelineVersion: 'noop' }),
  );
  await writeSubmission(root, 'hovedstaden', 'GOOD-1', [{ sampleId: 'GOOD0001' }]);
  await writeSubmission(root, 'syddanmark', 'MODE-1', [{ sampleId: 'MODE0001' }]);
  await writeSubmission(root, 'midtjylland', 'FIFO-1', [{ sampleId: 'FIFO0001' }]);
  const fifoManifest = path.join(root, 'inbox', 'midtjylland', 'FIFO-1', 'manifest.json');
  await fs.rm(fifoManifest);
  await execa('mkfifo', [fifoManifest]);
  for (const [region, id, sampleId] of [
    ['sjaelland', 'BOMB-1', 'BOMB0001'],
    ['nordjylland', 'BOMB-2', 'BOMB0002'],
  ] as const) {
    const dir = await writeSubmission(root, region, id, [{ sampleId }]);
    const r1 = path.join(dir, sampleId, `${sampleId}_R1.fastq.gz`);
    // 16 GiB of valid-looking FASTQ in 58 MB: more than a core can parse in the budget.
    await writeFastqBomb(r1, 256);
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as {
      samples: { files: { md5: string }[] }[];
    };
    const { stdout } = await execa('md5sum', [r1]);
    manifest.samples[0]!.files[0]!.md5 = stdout.split(' ')[0]!;
    await fs.writeFile(manifestFile, JSON.stringify(manifest));
  }
  inboxBefore = await hashTree(path.join(root, 'inbox'));
  ({ api, workerPid, tokens } = await startStack(cli));
  client = await HarmoniseClient.connect(loadConfig({ ...process.env, ...cli.env }));
}, 300_000);

afterAll(async () => {
  await client?.close();
  const down = await harmonise(cli, ['down', '--json']);
  expect(down.exitCode, down.stderr).toBe(0);
  const stopped = JSON.parse(down.stdout) as Record<string, number | null>;
  for (const pid of [stopped.api, stopped.worker, stopped.temporal]) {
    if (pid) expect(isProcessAlive(pid, processStartTime(pid) ?? '')).toBe(false);
  }
  if (!process.env.HARMONISE_KEEP_TEST_DATA) await fs.rm(root, { recursive: true, force: true });
});

/** Runs the CLI in this process (its checks come before any connection), with the test's env. */
async function cliInProcess(args: string[], env: Record<string, string> = {}) {
  const added = { ...cli.env, ...env };
  const saved = Object.keys(added).map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, added);
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string) => stderr.push(String(chunk)) > 0;
  try {
    const code = await main(['node', 'harmonise', ...args]);
    return { code, stderr: stderr.join('') };
  } finally {
    process.stderr.write = write;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    process.exitCode = undefined;
  }
}

/** A request with the path exactly as given (fetch would resolve `..` and `%2e%2e` first). */
function raw(
  method: string,
  rawPath: string,
  options: { token?: string; body?: string; type?: string } = {},
) {
  return new Promise<{ status: number; body: { code?: string; message?: string } }>(
    (resolve, reject) => {
      const url = new URL(api);
      const headers: Record<string, string> = {};
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) {
        headers['content-type'] = options.type ?? 'application/json';
        // Declared up front, so the server can refuse a body too large before reading it.
        headers['content-length'] = String(Buffer.byteLength(options.body));
      }
      let answered: (() => void) | null = null;
      const request = http.request(
        { host: url.hostname, port: url.port, method, path: rawPath, headers },
        (response) => {
          let text = '';
          answered = () => {
            let body: { code?: string; message?: string } = {};
            try {
              body = JSON.parse(text) as typeof body;
            } catch {
              body = { message: text };
            }
            resolve({ status: response.statusCode ?? 0, body });
          };
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => answered?.());
        },
      );
      // A server that answers (413) before the whole body is sent closes the connection, and
      // the rest of the write fails (EPIPE, ECONNRESET): the body goes in pieces, none after
      // the answer, and an error once the answer is in is the server hanging up.
      request.on('error', (error) => (answered ? answered() : reject(error)));
      const body = options.body ?? '';
      let offset = 0;
      const send = (): void => {
        if (answered || offset >= body.length) {
          request.end();
          return;
        }
        const piece = body.slice(offset, offset + 64 * 1024);
        offset += piece.length;
        request.write(piece, () => setImmediate(send));
      };
      send();
    },
  );
}

async function waitFinal(region: string, submissionId: string): Promise<SubmissionStatus> {
  return client.waitForSubmission(region, submissionId);
}

describe('ids at the CLI', () => {
  it('refuses every traversal spelling in every argument that names something (exit 2)', async () => {
    const gdbBefore = await hashTree(path.join(root, 'gdb')).catch(() => 'none');
    const commands = (bad: string): string[][] => [
      ['submission', 'complete', 'nordjylland', bad],
      ['submission', 'complete', bad, 'S1'],
      ['submission', 'status', bad, 'S1'],
      ['submission', 'status', 'nordjylland', bad],
      ['sample', 'status', bad],
      ['consent', 'withdraw', bad],
      ['campaign', 'status', bad],
      ['campaign', 'cancel', bad],
      ['frequency', 'release', '--pipeline', bad],
    ];
    const wrong: string[] = [];
    for (const bad of [...TRAVERSALS.filter((t) => t !== '' && t !== '-rf'), `NOR-${CPR}`]) {
      for (const args of commands(bad)) {
        const { code, stderr } = await cliInProcess(args);
        if (code !== 2 || stderr.includes(CPR))
          wrong.push(`${args.join(' ')}: exit ${code} ${stderr}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await hashTree(path.join(root, 'gdb')).catch(() => 'none')).toBe(gdbBefore);
    const beside = await fs.readdir(path.dirname(root));
    expect(beside.filter((name) => name.startsWith('escape-x'))).toEqual([]);
  });

  it('runs as a user runs it: the overwrite of a catalogue record the issue found is refused', async () => {
    const result = await harmonise(cli, [
      'submission',
      'complete',
      'nordjylland',
      '../../catalogue/PRB00A',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('submission id "../../catalogue/PRB00A" is not valid');
  });

  it('takes --mode only with an operator token, and records who gave it', async () => {
    const none = await harmonise(cli, [
      'submission',
      'complete',
      'syddanmark',
      'MODE-1',
      '--mode',
      'none',
    ]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('HARMONISE_TOKEN');
    const viewer = await harmonise(
      cli,
      ['submission', 'complete', 'syddanmark', 'MODE-1', '--mode', 'none'],
      {
        HARMONISE_TOKEN: tokens.viewer!,
      },
    );
    expect(viewer.exitCode).toBe(2);
    expect(viewer.stderr).toContain('a viewer token');
    const operator = await harmonise(
      cli,
      ['submission', 'complete', 'syddanmark', 'MODE-1', '--mode', 'none', '--wait', '--json'],
      { HARMONISE_TOKEN: tokens.operator! },
    );
    expect(operator.exitCode, operator.stderr).toBe(0);
    const output = JSON.parse(operator.stdout) as { submission: SubmissionStatus };
    expect(output.submission).toMatchObject({
      status: 'accepted',
      mode: 'none',
      modeSource: 'operator',
      modeDecidedBy: 'operator:cli',
    });
  }, 120_000);
});

describe('the API against bad requests', () => {
  it('answers every traversal spelling with a 4xx { code, message }, never a 5xx', async () => {
    const operator = tokens.operator!;
    const wrong: string[] = [];
    for (const bad of TRAVERSALS) {
      for (const spelling of [bad, encodeURIComponent(bad)]) {
        // Sent as written when it can be (printable ASCII), else only percent-encoded.
        if (!/^[\x21-\x7e]+$/.test(spelling)) continue;
        for (const [method, url] of [
          ['GET', `/api/v1/samples/${spelling}`],
          ['GET', `/api/v1/submissions/${spelling}/S1`],
          ['POST', `/api/v1/submissions/hovedstaden/${spelling}/complete`],
          ['GET', `/api/v1/campaigns/${spelling}`],
          ['GET', `/api/v1/frequency/releases/${spelling}`],
          ['POST', `/api/v1/samples/${spelling}/consent-withdrawal`],
          ['GET', `/ga4gh/wes/v1/runs/${spelling}`],
        ] as const) {
          const answer = await raw(method, url, {
            token: operator,
            ...(method === 'POST' ? { body: '{}' } : {}),
          });
          const ok =
            answer.status >= 400 && answer.status < 500 && typeof answer.body.code === 'string';
          if (!ok) wrong.push(`${method} ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a 10 MB body (413), a wrong content type (415), bad JSON and bad page tokens (400)', async () => {
    const operator = tokens.operator!;
    // The server answers 413 on the declared length and hangs up; a write still in flight can
    // then fail (EPIPE) before the answer is read, so the request is made until it is read.
    const big = await (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await raw('POST', '/api/v1/campaigns', {
            token: operator,
            body: `{"name":"${'x'.repeat(10 * 2 ** 20)}"}`,
          });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (attempt >= 10 || (code !== 'EPIPE' && code !== 'ECONNRESET')) throw error;
        }
      }
    })();
    expect(big).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    const type = await raw('POST', '/api/v1/frequency/releases', {
      token: operator,
      body: 'x',
      type: 'text/plain',
    });
    expect(type).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const json = await raw('POST', '/api/v1/frequency/releases', {
      token: operator,
      body: '{"pipeline',
    });
    expect(json).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    for (const token of [
      'not!base64',
      Buffer.from('not a token of this server').toString('base64url'),
    ]) {
      const page = await raw('GET', `/ga4gh/wes/v1/runs?page_token=${token}`, { token: operator });
      expect(page, token).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    }
    const none = await raw('GET', '/api/v1/no-such-route', { token: operator });
    expect(none).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('keeps a personal number out of the audit trail and the API log', async () => {
    const answer = await raw('POST', `/api/v1/samples/NOR-${CPR}/consent-withdrawal`, {
      token: tokens.operator!,
      body: '{}',
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).not.toContain(CPR);
    const audit = await fs.readFile(path.join(root, 'gdb', 'audit.jsonl'), 'utf8');
    expect(audit).toContain('cpr:');
    expect(audit).not.toContain('010190');
    const log = await fs.readFile(path.join(root, 'logs', 'api.log'), 'utf8');
    expect(log).not.toContain('010190');
  });
});

describe('hostile submissions beside a normal one', () => {
  it('accepts a normal submission while a FIFO manifest and a gzip bomb are in intake; they end rejected', async () => {
    // The hostile ones first.
    await client.completeSubmission('midtjylland', 'FIFO-1', { requestedBy: 'test:midtjylland' });
    await client.completeSubmission('sjaelland', 'BOMB-1', { requestedBy: 'test:sjaelland' });
    const bomb = client.temporal.workflow.getHandle(sampleWorkflowId('BOMB0001', 'noop'));
    await expect
      .poll(async () => (await bomb.query(sampleStatusQuery).catch(() => null))?.stage, {
        timeout: 60_000,
      })
      .toBe('preparing');

    await client.completeSubmission('hovedstaden', 'GOOD-1', { requestedBy: 'test:hovedstaden' });
    const good = await waitFinal('hovedstaden', 'GOOD-1');
    expect(good.status).toBe('accepted');
    // The order, not the time: the bomb is still in intake when the normal one is accepted.
    const whileGood = await client.submissionStatus('sjaelland', 'BOMB-1');
    expect(whileGood!.status).toBe('running');
    expect(whileGood!.samples[0]!.status).toBe('running');

    const fifo = await waitFinal('midtjylland', 'FIFO-1');
    expect(fifo).toMatchObject({ status: 'rejected', errors: [{ code: 'MANIFEST_NOT_REGULAR' }] });
    const rejected = await waitFinal('sjaelland', 'BOMB-1');
    expect(rejected.status).toBe('rejected');
    expect(rejected.samples[0]!.errors.map((e) => e.code)).toEqual(['FILE_INSPECTION_TOO_SLOW']);
    expect(JSON.stringify(rejected)).not.toContain(root);
  }, 240_000);

  it('stops a hostile intake when its workflow is terminated, and starts no second attempt', async () => {
    await client.completeSubmission('nordjylland', 'BOMB-2', { requestedBy: 'test:nordjylland' });
    const sample = client.temporal.workflow.getHandle(sampleWorkflowId('BOMB0002', 'noop'));
    await expect
      .poll(async () => (await sample.query(sampleStatusQuery).catch(() => null))?.stage, {
        timeout: 60_000,
      })
      .toBe('preparing');
    await client.temporal.workflow
      .getHandle(submissionWorkflowId('nordjylland', 'BOMB-2'))
      .terminate('test');
    const log = path.join(root, 'logs', 'worker.log');
    const lines = async () =>
      (await fs.readFile(log, 'utf8'))
        .split('\n')
        .filter((line) => line.includes('"sampleId":"BOMB0002"'))
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
    // Its heartbeat learns of the termination (the SDK sends one at most every 24 s).
    await expect
      .poll(lines, { timeout: 90_000, interval: 1000 })
      .toContain('sample intake stopped');
    expect((await lines()).filter((msg) => msg === 'sample intake started')).toHaveLength(1);
  }, 180_000);

  it('leaves no reader running and the inbox byte-identical', async () => {
    const children = await execa('pgrep', ['-P', String(workerPid)], { reject: false });
    const named = children.stdout === '' ? [] : children.stdout.split('\n');
    for (const pid of named) {
      const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      // The local executor's launcher helper belongs to the worker; readers must be gone.
      expect(cmd).not.toMatch(/samtools|bcftools|bgzip|prlimit/);
    }
    expect(await hashTree(path.join(root, 'inbox'))).toBe(inboxBefore);
  });
});

describe('the service, honestly', () => {
  it('`up` fails, naming the port, when another server answers /healthz there', async () => {
    const pidFile = path.join(root, 'run', 'api.pid');
    const { pid } = JSON.parse(await fs.readFile(pidFile, 'utf8')) as { pid: number };
    process.kill(pid, 'SIGTERM');
    await expect
      .poll(() => isProcessAlive(pid, processStartTime(pid) ?? ''), { timeout: 20_000 })
      .toBe(false);
    const port = Number(cli.env.HARMONISE_API_PORT);
    const impostor = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => impostor.listen(port, '127.0.0.1', resolve));
    try {
      const up = await harmonise(cli, ['up', '--json']);
      expect(up.exitCode).not.toBe(0);
      expect(up.stderr).toContain(`port ${port} is answered by another server`);
    } finally {
      await new Promise<void>((resolve) => impostor.close(() => resolve()));
    }
    const again = await harmonise(cli, ['up', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
  }, 180_000);

  it('answers 503 everywhere while Temporal is down, never an empty 200', async () => {
    expect(await stopDevServer(path.join(root, 'temporal'))).toEqual(expect.any(Number));
    const viewer = tokens.viewer!;
    const urls = [
      '/api/v1/campaigns',
      '/api/v1/samples/GOOD0001',
      '/api/v1/submissions/hovedstaden/GOOD-1',
      '/api/v1/dashboard',
      '/ga4gh/wes/v1/service-info',
      '/ga4gh/wes/v1/runs',
    ];
    const answers = await Promise.all(urls.map((url) => raw('GET', url, { token: viewer })));
    for (const [i, answer] of answers.entries()) {
      expect(answer, urls[i]).toMatchObject({ status: 503, body: { code: 'SERVICE_UNREACHABLE' } });
    }
    const health = await raw('GET', '/healthz');
    expect(health).toMatchObject({ status: 503, body: { temporal: false } });
    const up = await harmonise(cli, ['up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    // Once Temporal is back, so is the API (its connection reconnects by itself).
    await expect
      .poll(async () => (await raw('GET', '/api/v1/campaigns', { token: viewer })).status, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe(200);
  }, 180_000);
});
