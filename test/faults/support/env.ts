import path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Private data (brokers, Postgres clusters) of the fault scenarios; git-ignored. */
export const DATA = path.join(ROOT, '.data', 'faults');
/** Where each scenario writes its result JSON (rendered into docs/reliability.md). */
export const RESULTS = path.join(ROOT, 'test-results', 'faults');

/**
 * `make soak` sets CATCAST_SOAK (a factor, e.g. 5): faults last longer, more kills, more load. The
 * default (1) keeps the whole suite within ~10 minutes on a 2-core machine.
 */
export const SOAK = Math.max(1, Number(process.env.CATCAST_SOAK ?? 1) || 1);

/** The suite's shared Postgres (global-setup); every private cluster's port is derived from it. */
const PG_BASE = Number(process.env.CATCAST_FAULTS_PG_PORT ?? 24931);
/** The suite's shared broker (global-setup, controller on +1); private brokers and proxies derive from it. */
const KAFKA_BASE = Number(process.env.CATCAST_FAULTS_KAFKA_PORT ?? 24692);

/**
 * Ports of the scenarios' private servers, all derived from CATCAST_FAULTS_PG_PORT and
 * CATCAST_FAULTS_KAFKA_PORT so that two runs with different port sets never collide. Postgres
 * offsets are multiples of 10 and Kafka offsets stay below 100, so port sets 1 (Postgres) or 100
 * (Kafka) apart do not overlap either.
 */
export const PORTS = {
  /** Scenario 4/8's primary and its replica. */
  primary: PG_BASE + 10,
  replica: PG_BASE + 20,
  /** Private brokers (controller on +1). */
  kafkaOutage: KAFKA_BASE + 10,
  /** Toxiproxy's API and the listeners it proxies through. */
  toxiproxyApi: KAFKA_BASE + 30,
  proxyPostgres: KAFKA_BASE + 31,
  proxyKafka: KAFKA_BASE + 32,
  kafkaProxied: KAFKA_BASE + 40,
} as const;
