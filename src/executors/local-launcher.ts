/**
 * Starts local jobs from a small helper shell instead of from the worker itself. A fork of the
 * worker (hundreds of MiB resident) costs it ~13 ms of its main thread per job, which a campaign
 * of noop jobs measured as the worker's largest single cost; the helper is a bash loop that forks
 * in well under a millisecond.
 *
 * Each job runs `bash <script>` in its work directory as the leader of a new session and process
 * group (so that it outlives the worker and is signalled as a whole), stdout and stderr appended
 * to its logs, its job id in the environment (to re-find it after a crash). The helper answers
 * each request with the job's pid, in order. If the helper dies, the requests waiting on it fail
 * (the executor records those jobs as not started) and the next launch starts a new helper.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { STDERR_NAME, STDOUT_NAME } from '../tools/job-script.ts';

/**
 * $1: the job-id variable's name, $2/$3: the log names. A request is three lines (work dir,
 * script, job id); the answer is the pid of the job's shell. The subshell is not a process group
 * leader (no job control here), so `setsid` makes it one without forking: the pid stays the same.
 */
const HELPER = `
while IFS= read -r dir && IFS= read -r script && IFS= read -r job_id; do
  ( cd -- "$dir" && export "$1=$job_id" && exec setsid bash -- "$script" >>"$2" 2>>"$3" </dev/null ) &
  printf '%s\\n' "$!"
done
`;

interface Waiting {
  resolve: (pid: number) => void;
  reject: (error: Error) => void;
}

export class JobLauncher {
  private helper: ChildProcessWithoutNullStreams | null = null;
  private waiting: Waiting[] = [];
  private pendingText = '';

  constructor(private readonly jobIdVariable: string) {}

  /** Starts `bash <script>` in `workDir` with the job id set; resolves to the job's pid. */
  launch(workDir: string, script: string, jobId: string): Promise<number> {
    for (const [what, value] of [
      ['work directory', workDir],
      ['script', script],
      ['job id', jobId],
    ] as const) {
      if (value === '' || /[\n\r]/.test(value))
        throw new Error(`a job's ${what} must be one non-empty line: ${JSON.stringify(value)}`);
    }
    const helper = this.helper ?? this.start();
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      helper.stdin.write(`${workDir}\n${script}\n${jobId}\n`);
    });
  }

  /** Ends the helper (jobs it started keep running: they are in their own sessions). */
  close(): void {
    this.helper?.stdin.end();
    this.helper = null;
  }

  private start(): ChildProcessWithoutNullStreams {
    const helper = spawn(
      'bash',
      ['-c', HELPER, 'harmonise-job-launcher', this.jobIdVariable, STDOUT_NAME, STDERR_NAME],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    helper.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    helper.stdout.on('data', (chunk: Buffer) => this.answered(chunk.toString('utf8')));
    const gone = (why: string) => {
      if (this.helper === helper) this.helper = null;
      const error = new Error(`the job launcher ${why}${stderr ? `: ${stderr.trim()}` : ''}`);
      for (const w of this.waiting.splice(0)) w.reject(error);
      this.pendingText = '';
    };
    helper.on('exit', (code, signal) => gone(`exited (${signal ?? code})`));
    helper.on('error', (error) => gone(`could not run: ${error.message}`));
    helper.stdin.on('error', () => undefined); // reported by 'exit'
    // The helper must not keep the worker alive.
    helper.unref();
    for (const stream of [helper.stdin, helper.stdout, helper.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    this.helper = helper;
    return helper;
  }

  private answered(text: string): void {
    this.pendingText += text;
    let newline: number;
    while ((newline = this.pendingText.indexOf('\n')) >= 0) {
      const line = this.pendingText.slice(0, newline);
      this.pendingText = this.pendingText.slice(newline + 1);
      const waiting = this.waiting.shift();
      const pid = Number(line);
      if (!waiting) continue;
      if (Number.isInteger(pid) && pid > 0) waiting.resolve(pid);
      else waiting.reject(new Error(`the job launcher answered ${JSON.stringify(line)}`));
    }
  }
}
