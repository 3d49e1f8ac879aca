import path from 'node:path';
import { launch, tsxScript, type Launched } from '../process/index.js';

/** One supervised child: a catcast binary run with tsx. */
export interface ChildSpec {
  readonly name: string;
  /** cmd/<binary>/main.ts */
  readonly binary: string;
  readonly env: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
}

/** Reports what the supervisor does, for the terminal. */
export type SupervisorReport = (line: string) => void;

/**
 * Starts children, appends their output to <logDir>/<name>.log, restarts a crashed child with a
 * growing delay (1 s doubling to 30 s, reset after a minute of uptime), and stops them all with
 * SIGTERM (then SIGKILL after a grace period) when asked.
 */
export class Supervisor {
  private readonly children = new Map<
    string,
    { spec: ChildSpec; proc?: Launched; startedAt: number; delay: number }
  >();
  private stopping = false;

  constructor(
    private readonly root: string,
    private readonly logDir: string,
    private readonly report: SupervisorReport,
  ) {}

  /** Starts (and from then on supervises) a child. */
  start(spec: ChildSpec): void {
    this.children.set(spec.name, { spec, startedAt: 0, delay: 1000 });
    this.launch(spec.name);
  }

  private launch(name: string): void {
    const entry = this.children.get(name);
    if (!entry || this.stopping) return;
    // One launcher for every process catcast starts (pkg/process); supervision (restarts) is this
    // class's. The telemetry preload does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
    const proc = launch({
      name,
      ...tsxScript(entry.spec.binary, {
        root: this.root,
        env: { ...process.env, ...entry.spec.env },
        args: entry.spec.args,
      }),
      logFile: path.join(this.logDir, `${name}.log`),
      maxLogLines: 200, // the file has everything
    });
    entry.proc = proc;
    entry.startedAt = Date.now();
    void proc.exited.then((code) => {
      if (this.stopping) return;
      if (Date.now() - entry.startedAt > 60_000) entry.delay = 1000;
      const signal = proc.child.signalCode;
      this.report(
        `${name} exited (${signal ?? `code ${code}`}); restarting in ${entry.delay / 1000} s — see ${path.relative(this.root, path.join(this.logDir, `${name}.log`))}`,
      );
      setTimeout(() => this.launch(name), entry.delay).unref();
      entry.delay = Math.min(30_000, entry.delay * 2);
    });
  }

  /** Stops every child: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(({ proc }) => (proc ? proc.stop({ graceMs }) : Promise.resolve(null))),
    );
  }
}
