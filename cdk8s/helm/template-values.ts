import type { CatcastValues } from '../values.js';
import { Sentinels } from './sentinels.js';

/**
 * The values tree the chart templates are synthesized from: every scalar that lands verbatim in a
 * manifest is a sentinel, every optional object is switched on (its `when` condition in rules.ts
 * switches it off again in Helm). Maps, lists and values with logic (empty-means-unset, shard
 * count) keep ordinary values here and are templated by path rules instead.
 */
export function templateValues(
  defaults: CatcastValues,
  mode: 'keda' | 'hpa' | 'adapter',
): { values: CatcastValues; sentinels: Sentinels } {
  const S = new Sentinels();
  S.exprs.set(Sentinels.RELEASE, '.Release.Name');
  S.exprs.set(Sentinels.NAMESPACE, '.Release.Namespace');
  const v = '.Values';
  const http = (key: 'ingest' | 'forecastApi' | 'aggregatorApi') => {
    const min = S.num(`${v}.${key}.autoscaling.minReplicas`);
    const max = S.num(`${v}.${key}.autoscaling.maxReplicas`);
    return {
      replicas: defaults[key].replicas,
      autoscaling: {
        enabled: true,
        minReplicas: min,
        maxReplicas: max,
        targetCPUUtilizationPercentage: S.num(`${v}.${key}.autoscaling.targetCPUUtilizationPercentage`),
      },
      resources: defaults[key].resources,
      pdb: { maxUnavailable: S.num(`${v}.${key}.pdb.maxUnavailable`) },
    };
  };
  const preStop = S.num(`${v}.pod.preStopSleepSeconds`);
  const grace = S.num(`${v}.pod.terminationGracePeriodSeconds`);
  const relayReplicas = S.num(`${v}.relay.replicas`);
  const relayMax = S.num(`${v}.relay.maxReplicas`);
  const aggMin = S.num(`${v}.aggregator.autoscaling.minReplicas`);
  const aggMax = S.num(`${v}.aggregator.autoscaling.maxReplicas`);
  const partitions = S.num(`${v}.kafka.partitions`);
  const startingDeadline = S.num(`${v}.forecastJob.startingDeadlineSeconds`);
  const activeDeadline = S.num(`${v}.forecastJob.activeDeadlineSeconds`);
  const period = S.num(`${v}.forecastJob.periodSeconds`);
  // The staleness alert fires after two periods: register the doubled sentinel too.
  S.exprs.set(String(2 * period), `mul 2 ${v}.forecastJob.periodSeconds`);
  S.numeric.add(String(2 * period));

  const values: CatcastValues = {
    ...defaults,
    image: {
      repository: S.str(`${v}.image.repository`),
      tag: S.str(`${v}.image.tag`),
      pullPolicy: S.str(`${v}.image.pullPolicy`),
    },
    database: {
      secretName: S.str(`${v}.database.secretName`),
      urlKey: S.str(`${v}.database.urlKey`),
      readUrlKey: S.str(`${v}.database.readUrlKey`),
      poolMax: defaults.database.poolMax,
    },
    kafka: {
      brokers: S.str(`${v}.kafka.brokers`),
      topic: S.str(`${v}.kafka.topic`),
      dlqTopic: defaults.kafka.dlqTopic,
      consumerGroup: S.str(`${v}.kafka.consumerGroup`),
      partitions,
    },
    auth: {
      ...defaults.auth,
      secretName: S.str(`${v}.auth.secretName`),
      hs256SecretKey: S.str(`${v}.auth.hs256SecretKey`),
      publicKeyKey: S.str(`${v}.auth.publicKeyKey`),
      sessionSecretKey: S.str(`${v}.auth.sessionSecretKey`),
      uiClientSecretKey: S.str(`${v}.auth.uiClientSecretKey`),
    },
    logLevel: S.str(`${v}.logLevel`),
    nodeOptions: S.str(`${v}.nodeOptions`),
    pod: {
      terminationGracePeriodSeconds: grace,
      preStopSleepSeconds: preStop,
      topologySpread: {
        maxSkew: S.num(`${v}.pod.topologySpread.maxSkew`),
        topologyKey: S.str(`${v}.pod.topologySpread.topologyKey`),
        whenUnsatisfiable: S.str(`${v}.pod.topologySpread.whenUnsatisfiable`) as 'ScheduleAnyway',
      },
    },
    ingest: http('ingest'),
    forecastApi: http('forecastApi'),
    aggregatorApi: http('aggregatorApi'),
    relay: {
      replicas: relayReplicas,
      maxReplicas: relayMax,
      resources: defaults.relay.resources,
      pdb: { maxUnavailable: S.num(`${v}.relay.pdb.maxUnavailable`) },
    },
    aggregator: {
      replicas: defaults.aggregator.replicas,
      autoscaling: {
        mode,
        minReplicas: aggMin,
        maxReplicas: aggMax,
        lagThreshold: S.num(`${v}.aggregator.autoscaling.lagThreshold`),
        pollingIntervalSeconds: S.num(`${v}.aggregator.autoscaling.pollingIntervalSeconds`),
        cooldownPeriodSeconds: S.num(`${v}.aggregator.autoscaling.cooldownPeriodSeconds`),
        externalMetricName: S.str(`${v}.aggregator.autoscaling.externalMetricName`),
        adapter: {
          replicas: S.num(`${v}.aggregator.autoscaling.adapter.replicas`),
          resources: defaults.aggregator.autoscaling.adapter.resources,
        },
      },
      resources: defaults.aggregator.resources,
      pdb: { maxUnavailable: S.num(`${v}.aggregator.pdb.maxUnavailable`) },
    },
    forecastJob: {
      ...defaults.forecastJob,
      schedule: `${S.str(`${v}.forecastJob.schedule`)} * * * *`,
      periodSeconds: period,
      startingDeadlineSeconds: startingDeadline,
      activeDeadlineSeconds: activeDeadline,
      backoffLimit: S.num(`${v}.forecastJob.backoffLimit`),
      successfulJobsHistoryLimit: S.num(`${v}.forecastJob.successfulJobsHistoryLimit`),
      failedJobsHistoryLimit: S.num(`${v}.forecastJob.failedJobsHistoryLimit`),
      leaseStore: S.str(`${v}.forecastJob.leaseStore`) as 'kubernetes',
    },
    migration: {
      enabled: true,
      backoffLimit: S.num(`${v}.migration.backoffLimit`),
      activeDeadlineSeconds: S.num(`${v}.migration.activeDeadlineSeconds`),
      resources: defaults.migration.resources,
    },
    ingress: {
      enabled: true,
      className: S.str(`${v}.ingress.className`),
      host: 'host.invalid',
      tlsSecretName: 'tls.invalid',
      annotations: {},
    },
    networkPolicy: { ...defaults.networkPolicy, enabled: true },
    monitoring: {
      serviceMonitor: {
        enabled: true,
        interval: `${S.num(`${v}.monitoring.serviceMonitor.interval`)}s`,
        labels: {},
      },
      prometheusRule: {
        enabled: true,
        labels: {},
        ingest5xxRatio: S.ratio(`${v}.monitoring.prometheusRule.ingest5xxRatio`),
        readApi5xxRatio: S.ratio(`${v}.monitoring.prometheusRule.readApi5xxRatio`),
        outboxOldestAgeSeconds: S.num(`${v}.monitoring.prometheusRule.outboxOldestAgeSeconds`),
        consumerLagThreshold: S.num(`${v}.monitoring.prometheusRule.consumerLagThreshold`),
        freshnessSeconds: S.num(`${v}.monitoring.prometheusRule.freshnessSeconds`),
      },
    },
  };
  // The schedule sentinel is a whole string ("zzsNzz * * * *"); map the full string, not the prefix.
  const schedSentinel = values.forecastJob.schedule;
  const prefix = schedSentinel.split(' ')[0] ?? '';
  S.exprs.delete(prefix);
  S.exprs.set(schedSentinel, `${v}.forecastJob.schedule`);
  // The interval sentinel is "<n>s"; map the full string.
  const interval = values.monitoring.serviceMonitor.interval;
  const intervalNum = interval.slice(0, -1);
  S.exprs.delete(intervalNum);
  S.numeric.delete(intervalNum);
  S.exprs.set(interval, `${v}.monitoring.serviceMonitor.interval`);
  return { values, sentinels: S };
}
