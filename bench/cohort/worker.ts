/**
 * A child process of generateCohort: writes each genome its parent sends (over IPC) and asks for
 * the next. Making a genome's text is JavaScript on one thread, so the cohort is made by one of
 * these per CPU.
 */
import type { Population } from './model.ts';
import { makePopulation } from './population.ts';
import { writeGenome, type GenomeJob } from './write-genome.ts';

let population: { seed: number; value: Population } | null = null;
let queue = Promise.resolve();

process.on('message', (message: { job?: GenomeJob }) => {
  const { job } = message;
  if (!job) {
    process.disconnect();
    return;
  }
  queue = queue.then(async () => {
    if (population?.seed !== job.seed)
      population = { seed: job.seed, value: makePopulation(job.seed) };
    await writeGenome(population.value, job);
    process.send?.({ done: job.index });
  });
  queue.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
process.send?.({ ready: true });
