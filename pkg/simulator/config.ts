import { parseArgs } from 'node:util';
import { z } from 'zod';
import { platformIdRule } from '../catalog/index.js';
import { ConfigError } from '../config/index.js';
import { MERCHANT_PREFIX_MAX, MERCHANT_PREFIX_PATTERN } from './catalog.js';
import type { ProgressMode } from './progress.js';

/** One command-line option of the simulator, with its environment fallback and default. */
interface Flag {
  readonly env: string;
  readonly type: 'string' | 'boolean';
  readonly help: string;
  readonly default?: string;
}

/** Every flag of `simulator`; the env var is used when the flag is absent. */
export const SIMULATOR_FLAGS = {
  'ingest-url': {
    env: 'INGEST_URL',
    type: 'string',
    default: 'http://127.0.0.1:8081',
    help: 'base URL of the ingest service',
  },
  token: {
    env: 'CATCAST_TOKEN',
    type: 'string',
    help: 'bearer token sent on /v1 requests (unset: no Authorization header)',
  },
  seed: {
    env: 'SIM_SEED',
    type: 'string',
    default: 'catcast',
    help: 'seed of every random choice; same seed, same catalog and history',
  },
  merchants: { env: 'SIM_MERCHANTS', type: 'string', default: '3', help: 'number of merchants' },
  'categories-per-merchant': {
    env: 'SIM_PARENT_CATEGORIES',
    type: 'string',
    default: '4',
    help: 'top-level categories per merchant (1..8)',
  },
  subcategories: {
    env: 'SIM_SUBCATEGORIES',
    type: 'string',
    default: '3',
    help: 'leaf categories per top-level category (1..5)',
  },
  'products-per-category': {
    env: 'SIM_PRODUCTS_PER_CATEGORY',
    type: 'string',
    default: '5',
    help: 'products per leaf category',
  },
  'merchant-prefix': {
    env: 'SIM_MERCHANT_PREFIX',
    type: 'string',
    default: 'sim',
    help: 'prefix of merchant ids',
  },
  days: { env: 'SIM_DAYS', type: 'string', default: '30', help: 'days of history to backfill (0: none)' },
  'orders-per-day': {
    env: 'SIM_ORDERS_PER_DAY',
    type: 'string',
    default: '50',
    help: 'mean orders per merchant per day of history',
  },
  end: { env: 'SIM_END', type: 'string', help: 'exclusive end of the history, ISO 8601 (default: now)' },
  rate: {
    env: 'SIM_RATE',
    type: 'string',
    default: '2',
    help: 'live orders per second after the backfill (0: stop after it)',
  },
  duration: {
    env: 'SIM_DURATION',
    type: 'string',
    default: '0',
    help: 'seconds of live traffic (0: until SIGINT/SIGTERM)',
  },
  concurrency: {
    env: 'SIM_CONCURRENCY',
    type: 'string',
    default: '16',
    help: 'requests in flight for catalog sync and live orders',
  },
  'batch-size': {
    env: 'SIM_BATCH_SIZE',
    type: 'string',
    default: '1000',
    help: 'orders per backfill batch (1..1000)',
  },
  'batch-concurrency': {
    env: 'SIM_BATCH_CONCURRENCY',
    type: 'string',
    default: '3',
    help: 'backfill batches in flight',
  },
  'replay-ratio': {
    env: 'SIM_REPLAY_RATIO',
    type: 'string',
    default: '0',
    help: 'backfill: chance per order of also resending an acknowledged one unchanged; live: share of sends (expect 200)',
  },
  'invalid-ratio': {
    env: 'SIM_INVALID_RATIO',
    type: 'string',
    default: '0',
    help: 'backfill: chance per order of also sending a deliberately invalid one; live: share of sends (expect 4xx)',
  },
  'ready-timeout': {
    env: 'SIM_READY_TIMEOUT',
    type: 'string',
    default: '60',
    help: 'seconds to wait for ingest /ready',
  },
  'max-attempts': {
    env: 'SIM_MAX_ATTEMPTS',
    type: 'string',
    default: '8',
    help: 'attempts per request on 429/502/503/504/network errors',
  },
  'skip-catalog': {
    env: 'SIM_SKIP_CATALOG',
    type: 'boolean',
    help: 'do not push the catalog (it is already there)',
  },
  progress: {
    env: 'SIM_PROGRESS',
    type: 'string',
    default: 'auto',
    help: 'auto | bar | plain | off (auto: bar on a TTY, plain otherwise)',
  },
  json: { env: 'SIM_JSON', type: 'boolean', help: 'print the final summary as JSON' },
  help: { env: 'SIM_HELP', type: 'boolean', help: 'show this help' },
} as const satisfies Record<string, Flag>;

type FlagName = keyof typeof SIMULATOR_FLAGS;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const boolText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  'ingest-url': z.string().url(),
  token: z.string().min(1).optional(),
  seed: z.string().min(1).max(200),
  merchants: int(1, 100_000),
  'categories-per-merchant': int(1, 8),
  subcategories: int(1, 5),
  'products-per-category': int(1, 99),
  'merchant-prefix': z.string().regex(MERCHANT_PREFIX_PATTERN, platformIdRule(MERCHANT_PREFIX_MAX)),
  days: int(0, 36_600),
  'orders-per-day': num(0, 1_000_000),
  end: z.iso.datetime({ offset: true }).optional(),
  rate: num(0, 1_000_000),
  duration: num(0, 31_536_000),
  concurrency: int(1, 10_000),
  'batch-size': int(1, 1000),
  'batch-concurrency': int(1, 1000),
  'replay-ratio': num(0, 1),
  'invalid-ratio': num(0, 1),
  'ready-timeout': num(0, 86_400),
  'max-attempts': int(1, 100),
  'skip-catalog': boolText.default(false),
  progress: z.enum(['auto', 'bar', 'plain', 'off']),
  json: boolText.default(false),
  help: boolText.default(false),
});

/** The parsed command line of `simulator`. */
export interface SimulatorConfig {
  readonly ingestUrl: string;
  readonly token?: string;
  readonly seed: string;
  readonly merchants: number;
  readonly parentsPerMerchant: number;
  readonly childrenPerParent: number;
  readonly productsPerCategory: number;
  readonly merchantPrefix: string;
  readonly days: number;
  readonly ordersPerDay: number;
  readonly end?: Date;
  readonly rate: number;
  readonly durationSeconds: number;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly batchConcurrency: number;
  readonly replayRatio: number;
  readonly invalidRatio: number;
  readonly readyTimeoutSeconds: number;
  readonly maxAttempts: number;
  readonly syncCatalog: boolean;
  readonly progress: ProgressMode | 'auto';
  readonly json: boolean;
  readonly help: boolean;
}

/** The --help text, generated from {@link SIMULATOR_FLAGS}. */
export function simulatorUsage(): string {
  const lines = Object.entries(SIMULATOR_FLAGS).map(([name, f]) => {
    const flag = `--${name}${f.type === 'string' ? ' <value>' : ''}`;
    const def = 'default' in f ? ` (default ${f.default})` : '';
    return `  ${flag.padEnd(34)} ${f.help}${def} [env ${f.env}]`;
  });
  return [
    'usage: simulator [options]',
    '',
    'Seeds a catalog into catcast ingest, backfills order history through the batch endpoint,',
    'then sends live orders until --duration ends or SIGINT/SIGTERM.',
    '',
    ...lines,
    '',
  ].join('\n');
}

/**
 * Parses the simulator's command line, falling back to environment variables; throws a
 * {@link ConfigError} naming each bad flag and its variable.
 */
export function parseSimulatorArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): SimulatorConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      Object.entries(SIMULATOR_FLAGS).map(([name, f]) => [name, { type: f.type }]),
    ) as Record<FlagName, { type: 'string' | 'boolean' }>;
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`invalid arguments: ${(err as Error).message}`, [(err as Error).message]);
  }
  const raw: Record<string, string | undefined> = {};
  for (const [name, f] of Object.entries(SIMULATOR_FLAGS) as [FlagName, Flag][]) {
    const v = values[name];
    const fromEnv = env[f.env] === '' ? undefined : env[f.env];
    raw[name] = v === undefined ? (fromEnv ?? f.default) : String(v);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const name = String(issue.path[0]) as FlagName;
      const f = SIMULATOR_FLAGS[name];
      const shown = name === 'token' ? '<redacted>' : JSON.stringify(raw[name]);
      return `--${name} (${f.env}): ${issue.message} (got ${shown})`;
    });
    throw new ConfigError(`invalid configuration: ${issues.join('; ')}`, issues);
  }
  const c = result.data;
  return {
    ingestUrl: c['ingest-url'],
    token: c.token,
    seed: c.seed,
    merchants: c.merchants,
    parentsPerMerchant: c['categories-per-merchant'],
    childrenPerParent: c.subcategories,
    productsPerCategory: c['products-per-category'],
    merchantPrefix: c['merchant-prefix'],
    days: c.days,
    ordersPerDay: c['orders-per-day'],
    end: c.end === undefined ? undefined : new Date(c.end),
    rate: c.rate,
    durationSeconds: c.duration,
    concurrency: c.concurrency,
    batchSize: c['batch-size'],
    batchConcurrency: c['batch-concurrency'],
    replayRatio: c['replay-ratio'],
    invalidRatio: c['invalid-ratio'],
    readyTimeoutSeconds: c['ready-timeout'],
    maxAttempts: c['max-attempts'],
    syncCatalog: !c['skip-catalog'],
    progress: c.progress,
    json: c.json,
    help: c.help,
  };
}
