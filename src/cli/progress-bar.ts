/** The text of `campaign watch` (pure): a bar, the counts, the rate and the time left. */
import { finishedCount, type CampaignProgress } from '../domain/campaign.ts';

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

export function renderProgress(progress: CampaignProgress, width = 30): string {
  const { counts } = progress;
  const finished = finishedCount(counts);
  const fraction = counts.total === 0 ? 1 : finished / counts.total;
  const filled = Math.min(width, Math.floor(fraction * width));
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const percent = `${(fraction * 100).toFixed(1)}%`.padStart(6);
  const rate =
    progress.samplesPerSecond === null ? '-' : `${progress.samplesPerSecond.toFixed(2)}/s`;
  return [
    `[${bar}] ${percent} ${finished}/${counts.total}`,
    `${progress.state}`,
    `running ${counts.running} (max ${progress.maxConcurrent})`,
    `done ${counts.done} failed ${counts.failed} rejected ${counts.rejected} skipped ${counts.skipped} cancelled ${counts.cancelled}`,
    `${rate}`,
    `ETA ${formatDuration(progress.etaSeconds)}`,
  ].join(' | ');
}
