import { ConfigError } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { DLQ_USAGE, dlqCommand } from './dlq-command.js';
import { EXIT, UsageError, type CommandIo } from './io.js';
import { RECONCILE_USAGE, reconcileCommand } from './reconcile-command.js';
import { TOKEN_USAGE, tokenCommand } from './token-command.js';

/** Usage of the whole `catcast` admin CLI. */
export const CATCAST_USAGE = `catcast — operator commands (npm run catcast -- <command> ...)

${RECONCILE_USAGE}
${DLQ_USAGE}
${TOKEN_USAGE}`;

/**
 * Runs one `catcast` command line and returns its exit code (0 ok, 1 failure, 2 usage, 3 drift);
 * cmd/catcast only wires the process to it.
 */
export async function runCatcast(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
  deps: { logger: Logger; signal: AbortSignal },
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'reconcile':
        return await reconcileCommand(rest, env, io, deps);
      case 'dlq':
        return await dlqCommand(rest, env, io, deps);
      case 'token':
        return await tokenCommand(rest, env, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(CATCAST_USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    // parseArgs throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION for a bad command line.
    const code = (err as { code?: unknown }).code;
    if (
      err instanceof UsageError ||
      err instanceof ConfigError ||
      (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    ) {
      io.stderr(`catcast: ${(err as Error).message}\n(see catcast --help)\n`);
      return EXIT.usage;
    }
    if ((err as Error).name === 'ReconcileOptionsError') {
      io.stderr(`catcast: ${(err as Error).message}\n`);
      return EXIT.usage;
    }
    io.stderr(`catcast: ${describe(err)}\n`);
    return EXIT.failure;
  }
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, i = 0; e && i < 5; i++) {
    parts.push(e instanceof Error ? e.message : JSON.stringify(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}
