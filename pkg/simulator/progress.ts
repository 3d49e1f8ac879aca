import type { SimulationProgress, SimulationSummary } from './run.js';

/** How progress is shown: a redrawn bar (TTY), a line every few seconds (logs), or nothing. */
export type ProgressMode = 'bar' | 'plain' | 'off';

/** Options of {@link createProgressPrinter}. */
export interface ProgressPrinterOptions {
  /** Where to draw (stderr in the CLI). */
  readonly stream: { write(text: string): unknown; columns?: number };
  readonly mode: ProgressMode;
  /** Seconds between lines in plain mode. @default 5 */
  readonly plainIntervalSeconds?: number;
  /** Wall clock. @default Date.now */
  readonly now?: () => number;
}

/** Draws progress snapshots and warnings without the two garbling each other. */
export interface ProgressPrinter {
  /** Shows a snapshot (throttled); safe to pass around detached. */
  readonly update: (progress: SimulationProgress) => void;
  /** Prints a warning line above the bar. */
  readonly warn: (message: string) => void;
  /** Clears the bar. */
  readonly close: () => void;
}

const number = new Intl.NumberFormat('en-US');

/** Formats seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One line describing a snapshot; `width` > 0 adds a bar of that many cells when the total is known. */
export function formatProgress(p: SimulationProgress, width = 0): string {
  const seconds = p.elapsedMs / 1000;
  const perSecond = seconds > 0 ? p.done / seconds : 0;
  const c = p.counters;
  const counts = `ok ${number.format(c.accepted)} dup ${number.format(c.replayed)} bad ${number.format(c.rejected)} expected-bad ${number.format(c.expectedRejected)} failed ${number.format(c.failed)}`;
  switch (p.phase) {
    case 'waiting':
      return `waiting for ingest /ready ${formatDuration(seconds)}`;
    case 'catalog':
    case 'backfill': {
      const t = p.total ?? 0;
      const ratio = t > 0 ? Math.min(1, p.done / t) : 1;
      const bar = width > 0 ? ` [${'#'.repeat(Math.round(ratio * width)).padEnd(width, '-')}]` : '';
      const eta = perSecond > 0 ? formatDuration((t - p.done) / perSecond) : '--:--';
      const unit = p.phase === 'catalog' ? 'entries' : 'orders';
      const tail = p.final ? `done in ${formatDuration(seconds)}` : `ETA ${eta}`;
      const extra = p.phase === 'backfill' ? ` | ${counts}` : '';
      return `${p.phase.padEnd(8)}${bar} ${Math.floor(ratio * 100)}% ${number.format(p.done)}/${number.format(t)} ${unit} ${number.format(Math.round(perSecond))}/s ${tail}${extra}`;
    }
    case 'live': {
      const left =
        p.total !== undefined && p.rate
          ? ` ${formatDuration((p.total - p.done) / p.rate)} left`
          : ' (Ctrl-C stops)';
      return `live     ${number.format(p.done)} orders ${perSecond.toFixed(1)}/s (target ${p.rate ?? 0}/s)${p.final ? ' done' : left} | ${counts}`;
    }
  }
}

/** One line summarising a run, for stdout. */
export function formatSummary(s: SimulationSummary): string {
  return (
    `simulator: ${s.merchants} merchants, ${s.categories} categories, ${s.products} products${s.catalogSynced ? '' : ' (catalog not synced)'}; ` +
    `${number.format(s.ordersSent)} orders sent (${number.format(s.backfillOrders)} backfill, ${number.format(s.liveOrders)} live): ` +
    `${number.format(s.accepted)} accepted, ${number.format(s.replayed)} replayed, ${number.format(s.rejected)} rejected, ` +
    `${number.format(s.expectedRejected)} rejected as expected, ${number.format(s.unexpectedAccepted)} invalid accepted, ` +
    `${number.format(s.failed)} failed, ${number.format(s.retries)} retries in ${s.seconds.toFixed(1)} s` +
    `${s.aborted ? ' (stopped early)' : ''}`
  );
}

/** Creates the progress printer of the CLI. */
export function createProgressPrinter(options: ProgressPrinterOptions): ProgressPrinter {
  const { stream, mode, plainIntervalSeconds = 5, now = Date.now } = options;
  let lastDraw = -Infinity;
  let lastPhase: string | undefined;
  let drawn = false;
  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    update(p) {
      if (mode === 'off') return;
      const t = now();
      const phaseChanged = p.phase !== lastPhase;
      if (mode === 'bar') {
        if (!p.final && !phaseChanged && t - lastDraw < 100) return;
        const columns = stream.columns ?? 100;
        let line = formatProgress(p, 24);
        if (line.length > columns - 1) line = formatProgress(p, 0).slice(0, columns - 1);
        // A finished phase keeps its line; the next phase draws below it.
        if (phaseChanged && drawn && lastPhase !== undefined) stream.write('\n');
        stream.write(`\r\x1b[2K${line}${p.final ? '\n' : ''}`);
        drawn = !p.final;
      } else {
        if (!p.final && !phaseChanged && t - lastDraw < plainIntervalSeconds * 1000) return;
        stream.write(`${formatProgress(p)}\n`);
      }
      lastDraw = t;
      lastPhase = p.final ? undefined : p.phase;
    },
    warn(message) {
      if (mode === 'bar') clear();
      stream.write(`warning: ${message}\n`);
      lastDraw = -Infinity; // redraw the bar on the next update
    },
    close() {
      if (mode === 'bar') clear();
    },
  };
}
