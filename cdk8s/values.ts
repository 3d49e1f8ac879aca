import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

/** Kubernetes resource requests/limits as quantity strings, exactly as they appear in a pod spec. */
export interface Resources {
  readonly requests?: Record<string, string>;
  readonly limits?: Record<string, string>;
}

/** CPU-based HorizontalPodAutoscaler settings of a stateless HTTP component. */
export interface CpuAutoscalingValues {
  readonly enabled: boolean;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCPUUtilizationPercentage: number;
}

/** Settings shared by every long-running HTTP component. */
export interface ComponentValues {
  readonly replicas: number;
  readonly resources: Resources;
  readonly pdb: { readonly maxUnavailable: number };
}

/** Values of ingest, aggregator-api and forecast-api (stateless, CPU-scaled). */
export interface HttpComponentValues extends ComponentValues {
  readonly autoscaling: CpuAutoscalingValues;
}

/** How the aggregator scales on Kafka consumer lag. */
export type LagAutoscalingMode = 'keda' | 'hpa' | 'adapter' | 'none';

/** Values of the aggregator's Kafka consumer (lag-scaled); its read API is `aggregatorApi`. */
export interface AggregatorValues extends ComponentValues {
  readonly autoscaling: {
    readonly mode: LagAutoscalingMode;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly lagThreshold: number;
    readonly pollingIntervalSeconds: number;
    readonly cooldownPeriodSeconds: number;
    readonly externalMetricName: string;
    /** catcast's own external-metrics provider (cmd/lag-metrics), deployed in mode `adapter`. */
    readonly adapter: { readonly replicas: number; readonly resources: Resources };
  };
}

/** The whole values tree of charts/catcast; values.yaml holds every default, values.schema.json the rules. */
export interface CatcastValues {
  readonly image: { readonly repository: string; readonly tag: string; readonly pullPolicy: string };
  readonly imagePullSecrets: readonly string[];
  readonly nodeOptions: string;
  readonly logLevel: string;
  readonly environment: string;
  readonly database: {
    readonly secretName: string;
    readonly urlKey: string;
    readonly readUrlKey: string;
    readonly poolMax: number;
  };
  readonly kafka: {
    readonly brokers: string;
    readonly topic: string;
    readonly dlqTopic: string;
    readonly consumerGroup: string;
    readonly partitions: number;
  };
  readonly auth: {
    readonly mode: 'jwt' | 'none';
    readonly jwksUrl: string;
    readonly secretName: string;
    readonly hs256SecretKey: string;
    readonly publicKeyKey: string;
    /** AUTH_ISSUER: the identity provider's issuer URL ("" unset). */
    readonly issuer: string;
    /** AUTH_AUDIENCE ("" unset). */
    readonly audience: string;
    /** AUTH_MERCHANTS_CLAIM. */
    readonly merchantsClaim: string;
    /** AUTH_GROUPS_CLAIM. */
    readonly groupsClaim: string;
    /** AUTH_GROUP_MERCHANTS, a JSON object ("" unset). */
    readonly groupMerchants: string;
    /** AUTH_DEFAULT_SCOPES ("" unset). */
    readonly defaultScopes: string;
    /** Key of the auth Secret holding AUTH_SESSION_SECRET (optional). */
    readonly sessionSecretKey: string;
    /** UI_OIDC_CLIENT_ID: turns the UI's sign-in on ("" off). */
    readonly uiClientId: string;
    /** Key of the auth Secret holding UI_OIDC_CLIENT_SECRET (optional). */
    readonly uiClientSecretKey: string;
    /** UI_PUBLIC_URL ("" unset: the request's origin). */
    readonly uiPublicUrl: string;
  };
  readonly otel: {
    readonly endpoint: string;
    readonly protocol: string;
    readonly tracesSampler: string;
    readonly tracesSamplerArg: string;
  };
  readonly pod: {
    readonly terminationGracePeriodSeconds: number;
    readonly preStopSleepSeconds: number;
    readonly topologySpread: {
      readonly maxSkew: number;
      readonly topologyKey: string;
      readonly whenUnsatisfiable: 'ScheduleAnyway' | 'DoNotSchedule';
    };
  };
  readonly ingest: HttpComponentValues;
  readonly forecastApi: HttpComponentValues;
  readonly relay: ComponentValues & { readonly maxReplicas: number };
  readonly aggregator: AggregatorValues;
  /** The read API: the aggregator binary with AGGREGATOR_ROLE=api, its own Deployment. */
  readonly aggregatorApi: HttpComponentValues;
  readonly forecastJob: {
    readonly schedule: string;
    readonly periodSeconds: number;
    readonly shardCount: number;
    readonly startingDeadlineSeconds: number;
    readonly backoffLimit: number;
    readonly activeDeadlineSeconds: number;
    readonly successfulJobsHistoryLimit: number;
    readonly failedJobsHistoryLimit: number;
    readonly leaseStore: 'kubernetes' | 'postgres';
    readonly resources: Resources;
  };
  readonly migration: {
    readonly enabled: boolean;
    readonly backoffLimit: number;
    readonly activeDeadlineSeconds: number;
    readonly resources: Resources;
  };
  readonly ingress: {
    readonly enabled: boolean;
    readonly className: string;
    readonly host: string;
    readonly tlsSecretName: string;
    readonly annotations: Record<string, string>;
  };
  readonly networkPolicy: {
    readonly enabled: boolean;
    readonly ingressController: {
      readonly namespaceLabels: Record<string, string>;
      readonly podLabels: Record<string, string>;
    };
    readonly prometheus: { readonly namespaceLabels: Record<string, string> };
    readonly egressPorts: {
      readonly dns: readonly number[];
      readonly postgres: readonly number[];
      readonly kafka: readonly number[];
      readonly otel: readonly number[];
      readonly identityProvider: readonly number[];
      readonly apiServer: readonly number[];
    };
  };
  readonly monitoring: {
    readonly serviceMonitor: {
      readonly enabled: boolean;
      readonly interval: string;
      readonly labels: Record<string, string>;
    };
    readonly prometheusRule: {
      readonly enabled: boolean;
      readonly labels: Record<string, string>;
      readonly ingest5xxRatio: number;
      /** Share of one read API's requests (aggregator-api, forecast-api) answered 5xx over 5 minutes. */
      readonly readApi5xxRatio: number;
      readonly outboxOldestAgeSeconds: number;
      readonly consumerLagThreshold: number;
      readonly freshnessSeconds: number;
    };
  };
}

const here = dirname(fileURLToPath(import.meta.url));

/** Directory of the Helm chart whose values.yaml holds the defaults. */
export const chartDir = join(here, '..', 'charts', 'catcast');

/** Error raised when a values tree breaks values.schema.json; names every offending path. */
export class ValuesError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ValuesError';
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges `override` into `base` the way Helm merges a values file into the chart's defaults:
 * maps merge key by key, everything else (lists, scalars) replaces, and `null` deletes the key.
 */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else out[k] = k in base ? mergeValues(base[k], v) : v;
  }
  return out;
}

let cachedValidator: ReturnType<Ajv['compile']> | undefined;

function validator(): ReturnType<Ajv['compile']> {
  if (!cachedValidator) {
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;
    cachedValidator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return cachedValidator;
}

/** Checks a complete values tree against values.schema.json (the same schema Helm enforces). */
export function validateValues(values: unknown): CatcastValues {
  const validate = validator();
  if (!validate(values)) {
    const problems = (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` ('${String(e.params.additionalProperty)}')` : ''}`,
    );
    throw new ValuesError(`values do not match charts/catcast/values.schema.json: ${problems.join('; ')}`);
  }
  return values as CatcastValues;
}

/** Reads the chart's default values.yaml. */
export function defaultValues(): CatcastValues {
  return validateValues(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')));
}

/** Defaults with each override tree merged on top in order (like `helm -f a.yaml -f b.yaml`), then validated. */
export function resolveValues(...overrides: unknown[]): CatcastValues {
  let merged: unknown = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
  for (const o of overrides) merged = mergeValues(merged, o ?? {});
  return validateValues(merged);
}

/** Parses a YAML values file from disk. */
export function readValuesFile(path: string): unknown {
  try {
    return parse(readFileSync(path, 'utf8')) ?? {};
  } catch (err) {
    throw new ValuesError(`cannot read values file ${path}`, { cause: err });
  }
}
