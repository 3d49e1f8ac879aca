import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AppDeployment } from './app-deployment.js';
import { commonLabels } from './labels.js';
import type { ComponentSizing, WorkloadCommon } from './workload-defaults.js';

/** Health/metrics port of cmd/lag-metrics (plain HTTP: kubelet probes, Prometheus). */
export const LAG_METRICS_PORT = 8084;
/** Container port of the external metrics API (HTTPS, called by kube-apiserver). */
export const LAG_METRICS_SECURE_PORT = 6443;
/** API group and version the provider registers. */
export const EXTERNAL_METRICS_API = { group: 'external.metrics.k8s.io', version: 'v1beta1' } as const;

/** Props of {@link LagMetricsAdapter}. */
export interface LagMetricsAdapterProps
  extends Omit<WorkloadCommon, 'databaseEnv' | 'authEnv'>, ComponentSizing {
  /** Namespace the release is installed in (the APIService and the RBAC subjects name it). */
  readonly namespace: string;
  /** External metric served (LAG_METRIC_NAME). */
  readonly metricName: string;
}

/**
 * catcast's own external-metrics provider (cmd/lag-metrics) for the aggregator's lag HPA where
 * neither KEDA nor another adapter runs: its Deployment and Service (HTTPS 443 -> 6443 for
 * kube-apiserver, http for probes and metrics), the APIService registering
 * external.metrics.k8s.io/v1beta1, and the RBAC an aggregated API server needs — read
 * kube-system/extension-apiserver-authentication (front-proxy CA) and create SubjectAccessReviews
 * (system:auth-delegator). Its self-signed serving certificate is made at start, so the APIService
 * skips verifying it, as metrics-server's usual install does; the caller side is verified.
 */
export class LagMetricsAdapter extends Construct {
  /** Name of the Deployment, Service and ServiceAccount. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: LagMetricsAdapterProps) {
    super(scope, id);
    this.name = `${props.release}-lag-metrics`;
    const labels = commonLabels(props.release, 'lag-metrics', props.version);
    const serviceDns = [
      `${this.name}.${props.namespace}.svc`,
      `${this.name}.${props.namespace}.svc.cluster.local`,
    ];
    const app = new AppDeployment(this, 'app', {
      ...props,
      component: 'lag-metrics',
      port: LAG_METRICS_PORT,
      env: {
        SECURE_PORT: String(LAG_METRICS_SECURE_PORT),
        LAG_METRIC_NAME: props.metricName,
        TLS_DNS_NAMES: serviceDns.join(','),
      },
      extraPorts: [{ name: 'https', containerPort: LAG_METRICS_SECURE_PORT, servicePort: 443 }],
      serviceAccountName: this.name,
    });

    new kplus.k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: this.name, labels },
      automountServiceAccountToken: true,
    });
    const subject = { kind: 'ServiceAccount', name: this.name, namespace: props.namespace };
    // TokenReviews and SubjectAccessReviews (the delegated authorization of the forwarded user).
    new kplus.k8s.KubeClusterRoleBinding(this, 'auth-delegator', {
      metadata: { name: `${this.name}-auth-delegator`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [subject],
    });
    // The front-proxy CA and header names kube-apiserver publishes in kube-system.
    new kplus.k8s.KubeRoleBinding(this, 'auth-reader', {
      metadata: { name: `${this.name}-auth-reader`, namespace: 'kube-system', labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: [subject],
    });
    new ApiObject(this, 'apiservice', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `${EXTERNAL_METRICS_API.version}.${EXTERNAL_METRICS_API.group}`, labels },
      spec: {
        group: EXTERNAL_METRICS_API.group,
        version: EXTERNAL_METRICS_API.version,
        service: { name: app.name, namespace: props.namespace, port: 443 },
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
  }
}
