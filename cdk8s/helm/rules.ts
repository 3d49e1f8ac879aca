/** How one value inside a synthesized object becomes Helm template text. */
export type PathSub =
  /** `{{ toJson (expr) }}` */
  | { readonly expr: string }
  /** Raw template text that renders to a YAML flow value (JSON, a scalar or null). */
  | { readonly raw: string }
  /** The synthesized labels merged with a values map (values win): ServiceMonitor/PrometheusRule labels. */
  | { readonly mergeLabels: string };

/** Template rule of one synthesized object, keyed by `Kind/name-without-release`. */
export interface TemplateRule {
  /** Helm condition wrapped around the whole object. */
  readonly when?: string;
  /** JSON-pointer paths (an `[name=X]` segment selects a list item by name); created when missing. */
  readonly paths?: Readonly<Record<string, PathSub>>;
}

const V = '.Values';
const pullSecrets: PathSub = { raw: '{{ include "catcast.imagePullSecrets" . }}' };
const POD = '/spec/template/spec';
const JOB_POD = '/spec/jobTemplate/spec/template/spec';

function deployment(key: string, replicas?: PathSub): TemplateRule {
  return {
    paths: {
      ...(replicas ? { '/spec/replicas': replicas } : {}),
      [`${POD}/containers/0/resources`]: { expr: `${V}.${key}.resources` },
      [`${POD}/imagePullSecrets`]: pullSecrets,
    },
  };
}

const netpol = `${V}.networkPolicy.enabled`;
const adapter = `eq ${V}.aggregator.autoscaling.mode "adapter"`;
const ingressFrom = {
  when: netpol,
  paths: {
    '/spec/ingress/0/from/0/namespaceSelector/matchLabels': {
      expr: `${V}.networkPolicy.ingressController.namespaceLabels`,
    },
    '/spec/ingress/0/from/0/podSelector/matchLabels': {
      expr: `${V}.networkPolicy.ingressController.podLabels`,
    },
  },
};
const clientsFrom = {
  when: netpol,
  paths: {
    '/spec/ingress/0/from/0/namespaceSelector/matchLabels': {
      expr: `${V}.networkPolicy.prometheus.namespaceLabels`,
    },
  },
};

/**
 * Every object the chart can render. The generator fails on an object without a rule, so a new
 * construct cannot silently escape the chart.
 */
export const RULES: Readonly<Record<string, TemplateRule>> = {
  'ConfigMap/-config': { paths: { '/data': { raw: '{{ include "catcast.configData" . }}' } } },

  'Deployment/-ingest': deployment('ingest', {
    raw: `{{ if ${V}.ingest.autoscaling.enabled }}null{{ else }}{{ ${V}.ingest.replicas }}{{ end }}`,
  }),
  'Service/-ingest': {},
  'PodDisruptionBudget/-ingest': {},
  'HorizontalPodAutoscaler/-ingest': { when: `${V}.ingest.autoscaling.enabled` },

  'Deployment/-forecast-api': deployment('forecastApi', {
    raw: `{{ if ${V}.forecastApi.autoscaling.enabled }}null{{ else }}{{ ${V}.forecastApi.replicas }}{{ end }}`,
  }),
  'Service/-forecast-api': {},
  'PodDisruptionBudget/-forecast-api': {},
  'HorizontalPodAutoscaler/-forecast-api': { when: `${V}.forecastApi.autoscaling.enabled` },

  'Deployment/-relay': deployment('relay'),
  'Service/-relay': {},
  'PodDisruptionBudget/-relay': {},

  'Deployment/-aggregator': deployment('aggregator', {
    raw: `{{ if eq ${V}.aggregator.autoscaling.mode "none" }}{{ ${V}.aggregator.replicas }}{{ else }}null{{ end }}`,
  }),
  'Service/-aggregator': {},
  'PodDisruptionBudget/-aggregator': {},
  'ScaledObject/-aggregator': { when: `eq ${V}.aggregator.autoscaling.mode "keda"` },
  'HorizontalPodAutoscaler/-aggregator': {
    when: `or (eq ${V}.aggregator.autoscaling.mode "hpa") (eq ${V}.aggregator.autoscaling.mode "adapter")`,
  },

  'Deployment/-aggregator-api': deployment('aggregatorApi', {
    raw: `{{ if ${V}.aggregatorApi.autoscaling.enabled }}null{{ else }}{{ ${V}.aggregatorApi.replicas }}{{ end }}`,
  }),
  'Service/-aggregator-api': {},
  'PodDisruptionBudget/-aggregator-api': {},
  'HorizontalPodAutoscaler/-aggregator-api': { when: `${V}.aggregatorApi.autoscaling.enabled` },

  'Deployment/-lag-metrics': { when: adapter, ...deployment('aggregator.autoscaling.adapter') },
  'Service/-lag-metrics': { when: adapter },
  'PodDisruptionBudget/-lag-metrics': { when: adapter },
  'ServiceAccount/-lag-metrics': { when: adapter },
  'ClusterRoleBinding/-lag-metrics-auth-delegator': { when: adapter },
  'RoleBinding/-lag-metrics-auth-reader': { when: adapter },
  'APIService/v1beta1.external.metrics.k8s.io': { when: adapter },

  'ServiceAccount/-forecast-job': {},
  'Role/-forecast-job': {
    paths: { '/rules/1/resourceNames': { raw: '{{ include "catcast.shardLeaseNames" . }}' } },
  },
  'RoleBinding/-forecast-job': {},
  'CronJob/-forecast-job': {
    paths: {
      '/spec/jobTemplate/spec/completions': { expr: `${V}.forecastJob.shardCount` },
      '/spec/jobTemplate/spec/parallelism': { expr: `${V}.forecastJob.shardCount` },
      [`${JOB_POD}/containers/0/env/[name=SHARD_COUNT]/value`]: {
        expr: `toString ${V}.forecastJob.shardCount`,
      },
      [`${JOB_POD}/containers/0/resources`]: { expr: `${V}.forecastJob.resources` },
      [`${JOB_POD}/imagePullSecrets`]: pullSecrets,
    },
  },

  'Job/-migrate': {
    when: `${V}.migration.enabled`,
    paths: {
      [`${POD}/containers/0/resources`]: { expr: `${V}.migration.resources` },
      [`${POD}/imagePullSecrets`]: pullSecrets,
    },
  },

  'Ingress/': {
    when: `${V}.ingress.enabled`,
    paths: {
      // cdk8s leaves an empty map out; render null (dropped) rather than {}.
      '/metadata/annotations': {
        raw: `{{ if ${V}.ingress.annotations }}{{ toJson ${V}.ingress.annotations }}{{ else }}null{{ end }}`,
      },
      '/spec/rules/0/host': {
        raw: `{{ if ${V}.ingress.host }}{{ toJson ${V}.ingress.host }}{{ else }}null{{ end }}`,
      },
      '/spec/tls': {
        raw:
          `{{ if ${V}.ingress.tlsSecretName }}[{"secretName": {{ toJson ${V}.ingress.tlsSecretName }}` +
          `{{ if ${V}.ingress.host }}, "hosts": [{{ toJson ${V}.ingress.host }}]{{ end }}}]{{ else }}null{{ end }}`,
      },
    },
  },

  'NetworkPolicy/-default-deny': { when: netpol },
  'NetworkPolicy/-allow-ingress-controller-to-ingest': ingressFrom,
  'NetworkPolicy/-allow-ingress-controller-to-aggregator-api': ingressFrom,
  'NetworkPolicy/-allow-ingress-controller-to-forecast-api': ingressFrom,
  'NetworkPolicy/-allow-clients-to-ingest': clientsFrom,
  'NetworkPolicy/-allow-clients-to-aggregator': clientsFrom,
  'NetworkPolicy/-allow-clients-to-aggregator-api': clientsFrom,
  'NetworkPolicy/-allow-clients-to-forecast-api': clientsFrom,
  'NetworkPolicy/-allow-clients-to-relay': clientsFrom,
  'NetworkPolicy/-allow-egress-dependencies': {
    when: netpol,
    paths: {
      '/spec/egress/0/ports': { raw: `{{ include "catcast.dnsPorts" ${V}.networkPolicy.egressPorts.dns }}` },
      '/spec/egress/1/ports': {
        raw: `{{ include "catcast.tcpPorts" (concat ${V}.networkPolicy.egressPorts.postgres ${V}.networkPolicy.egressPorts.kafka ${V}.networkPolicy.egressPorts.otel ${V}.networkPolicy.egressPorts.identityProvider) }}`,
      },
    },
  },
  'NetworkPolicy/-allow-egress-apiserver': {
    when: netpol,
    paths: {
      '/spec/egress/0/ports': {
        raw: `{{ include "catcast.tcpPorts" ${V}.networkPolicy.egressPorts.apiServer }}`,
      },
    },
  },
  'NetworkPolicy/-allow-egress-api-clients': { when: netpol },
  'NetworkPolicy/-allow-apiserver-to-lag-metrics': { when: `and ${netpol} (${adapter})` },
  'NetworkPolicy/-allow-prometheus-to-lag-metrics': {
    when: `and ${netpol} (${adapter})`,
    paths: {
      '/spec/ingress/0/from/0/namespaceSelector/matchLabels': {
        expr: `${V}.networkPolicy.prometheus.namespaceLabels`,
      },
    },
  },
  'NetworkPolicy/-allow-egress-apiserver-lag-metrics': {
    when: `and ${netpol} (${adapter})`,
    paths: {
      '/spec/egress/0/ports': {
        raw: `{{ include "catcast.tcpPorts" ${V}.networkPolicy.egressPorts.apiServer }}`,
      },
    },
  },

  'ServiceMonitor/': {
    when: `${V}.monitoring.serviceMonitor.enabled`,
    paths: { '/metadata/labels': { mergeLabels: `${V}.monitoring.serviceMonitor.labels` } },
  },
  'PrometheusRule/-alerts': {
    when: `${V}.monitoring.prometheusRule.enabled`,
    paths: { '/metadata/labels': { mergeLabels: `${V}.monitoring.prometheusRule.labels` } },
  },
};
