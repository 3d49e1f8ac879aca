import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS, SOAK } from './env.js';

/** One row of docs/reliability.md, written by a scenario when it ends. */
export interface ScenarioResult {
  readonly id: string;
  readonly scenario: string;
  readonly injected: string;
  readonly checked: readonly string[];
  readonly result: 'pass' | 'fail';
  /** Seconds from the end of the fault to the checks passing (null when not applicable). */
  readonly convergeSeconds: number | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly error?: string;
  readonly soak: number;
  readonly finishedAt: string;
}

/** Collects what a scenario checked and writes its result file, pass or fail. */
export class Scenario {
  readonly #checked: string[] = [];
  readonly #details: Record<string, unknown> = {};
  #convergeSeconds: number | null = null;
  #written = false;
  readonly #started = Date.now();
  readonly #timeline: Record<string, number> = {};

  constructor(
    readonly id: string,
    readonly scenario: string,
    readonly injected: string,
  ) {}

  /** Records a check that just passed. */
  check(what: string): void {
    this.#checked.push(what);
  }

  /** Records a measured value shown in the report. */
  detail(name: string, value: unknown): void {
    this.#details[name] = value;
  }

  /** Records when a phase ended (seconds since the scenario started), for finding where time goes. */
  mark(phase: string): void {
    this.#timeline[phase] = Math.round((Date.now() - this.#started) / 100) / 10;
  }

  /** Records the time to converge after the fault ended. */
  converged(seconds: number): void {
    this.#convergeSeconds = Math.round(seconds * 10) / 10;
  }

  /** Writes the result file: pass, or fail with `error` (called from afterAll when the test threw). */
  write(result: 'pass' | 'fail', error?: unknown): void {
    if (this.#written) return;
    this.#written = true;
    mkdirSync(RESULTS, { recursive: true });
    const out: ScenarioResult = {
      id: this.id,
      scenario: this.scenario,
      injected: this.injected,
      checked: this.#checked,
      result,
      convergeSeconds: this.#convergeSeconds,
      details: { ...this.#details, timeline: this.#timeline },
      ...(error
        ? {
            error:
              error instanceof Error
                ? error.message
                : typeof error === 'string'
                  ? error
                  : JSON.stringify(error),
          }
        : {}),
      soak: SOAK,
      finishedAt: new Date().toISOString(),
    };
    writeFileSync(path.join(RESULTS, `${this.id}.json`), `${JSON.stringify(out, null, 2)}\n`);
  }
}
