/** Admission of local jobs within a CPU and memory budget (pure, so it is table-tested). */
import type { JobResources } from '../domain/pipeline.ts';

export interface Usage {
  cpus: number;
  memMiB: number;
}

export class ResourceBudget {
  constructor(
    readonly cpus: number,
    readonly memMiB: number,
  ) {}

  /** What a job counts against the budget: a job larger than the whole budget counts as all of it. */
  admitted(resources: JobResources): Usage {
    return {
      cpus: Math.min(resources.cpus, this.cpus),
      memMiB: Math.min(resources.memMiB, this.memMiB),
    };
  }

  used(running: Iterable<JobResources>): Usage {
    let cpus = 0;
    let memMiB = 0;
    for (const resources of running) {
      const counted = this.admitted(resources);
      cpus += counted.cpus;
      memMiB += counted.memMiB;
    }
    return { cpus, memMiB };
  }

  /** Whether the next job may start now; with nothing running, any job may (none waits forever). */
  fits(running: readonly JobResources[], next: JobResources): boolean {
    if (running.length === 0) return true;
    const used = this.used(running);
    const need = this.admitted(next);
    return used.cpus + need.cpus <= this.cpus && used.memMiB + need.memMiB <= this.memMiB;
  }
}
