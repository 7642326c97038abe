/**
 * At most `size` calls at once; the rest wait their turn in order. Submissions go through
 * these: slurmctld takes them one at a time anyway, and a hundred started together share the
 * disk, the thread pool and the CPU until they all end late, while a few at a time in order let
 * the first jobs reach Slurm first.
 */
export class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError('slots must be a positive integer');
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.active < this.size) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await call();
    } finally {
      // The slot passes straight to the next caller, so nobody can overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
