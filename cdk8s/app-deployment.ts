import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { commonLabels, selectorLabels } from './labels.js';
import { APP_UID, hardenPodSpec, secretEnvValue, type SecretEnv } from './pod-security.js';
import type { Resources } from './values.js';

/** Topology spread of a component's pods. */
export interface TopologySpread {
  /** @default 1 */
  readonly maxSkew?: number;
  /** @default 'topology.kubernetes.io/zone' */
  readonly topologyKey?: string;
  /** @default 'ScheduleAnyway' */
  readonly whenUnsatisfiable?: 'ScheduleAnyway' | 'DoNotSchedule';
}

/** CPU target of a HorizontalPodAutoscaler. */
export interface CpuAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilisation (percent of requests) the HPA aims for. */
  readonly targetCPUUtilizationPercentage: number;
}

/** Props of {@link AppDeployment}. */
export interface AppDeploymentProps {
  /** Release name; prefixes object names and fills app.kubernetes.io/instance. */
  readonly release: string;
  /** Component name (ingest, relay, ...); also the container name. */
  readonly component: string;
  /**
   * Binary the image entrypoint runs.
   * @default - the component name
   */
  readonly binary?: string;
  /** Full image reference (repository:tag). */
  readonly image: string;
  /** Value of the app.kubernetes.io/version label. */
  readonly version: string;
  /** @default 'IfNotPresent' */
  readonly imagePullPolicy?: string;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** HTTP port serving /health, /ready and /metrics (and the API, if any). */
  readonly port: number;
  /** Replica count; ignored (spec.replicas omitted) when `autoscaled` is true. */
  readonly replicas: number;
  /**
   * An autoscaler owns the replica count, so spec.replicas is left out (Helm upgrades must not reset it).
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * Adds an autoscaling/v2 HPA on CPU utilisation.
   * @default - no CPU HPA
   */
  readonly cpuAutoscaling?: CpuAutoscaling;
  /** Container resources as they appear in the pod spec. */
  readonly resources: Resources;
  /** ConfigMap whose keys become environment variables. */
  readonly configMapName: string;
  /** Pod-template annotation `checksum/config`, so a changed ConfigMap rolls the pods. @default none */
  readonly configChecksum?: string;
  /** @default [] */
  readonly secretEnv?: readonly SecretEnv[];
  /**
   * Literal per-component variables (PORT and OTEL_SERVICE_NAME are added automatically).
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 1 */
  readonly pdbMaxUnavailable?: number;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default 5 */
  readonly preStopSleepSeconds?: number;
  /** @default - maxSkew 1 across zones, ScheduleAnyway */
  readonly topologySpread?: TopologySpread;
  /** More named container ports, each exposed by the Service on `servicePort`. @default none */
  readonly extraPorts?: readonly { name: string; containerPort: number; servicePort: number }[];
  /**
   * Run as this (existing) ServiceAccount with its token mounted; only for a component that calls
   * the API server. @default - the namespace's default account, no token mounted
   */
  readonly serviceAccountName?: string;
}

/**
 * A long-running catcast binary: Deployment (restricted security profile, probes, graceful drain),
 * Service, PodDisruptionBudget and optionally a CPU HorizontalPodAutoscaler.
 */
export class AppDeployment extends Construct {
  /** Name of the Deployment and the Service. */
  public readonly name: string;
  /** The Deployment (for autoscalers that target it). */
  public readonly deployment: kplus.Deployment;
  /** Port of the Service (equal to the container port). */
  public readonly port: number;

  constructor(scope: Construct, id: string, props: AppDeploymentProps) {
    super(scope, id);
    const grace = props.terminationGracePeriodSeconds ?? 30;
    const preStop = props.preStopSleepSeconds ?? 5;
    const pdbMaxUnavailable = props.pdbMaxUnavailable ?? 1;
    if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) {
      throw new Error(`${props.component}: port must be an integer in 1..65535, got ${props.port}`);
    }
    if (!props.autoscaled && (!Number.isInteger(props.replicas) || props.replicas < 1)) {
      throw new Error(`${props.component}: replicas must be an integer >= 1, got ${props.replicas}`);
    }
    if (preStop >= grace) {
      throw new Error(
        `${props.component}: preStopSleepSeconds (${preStop}) must be less than terminationGracePeriodSeconds (${grace}), or SIGTERM arrives too late to drain`,
      );
    }
    if (pdbMaxUnavailable < 0) {
      throw new Error(`${props.component}: pdb maxUnavailable must be >= 0, got ${pdbMaxUnavailable}`);
    }
    const hpa = props.cpuAutoscaling;
    if (hpa && (hpa.minReplicas < 1 || hpa.minReplicas > hpa.maxReplicas)) {
      throw new Error(
        `${props.component}: autoscaling needs 1 <= minReplicas <= maxReplicas, got minReplicas=${hpa.minReplicas} maxReplicas=${hpa.maxReplicas}`,
      );
    }

    this.name = `${props.release}-${props.component}`;
    this.port = props.port;
    const labels = commonLabels(props.release, props.component, props.version);
    const selector = selectorLabels(props.release, props.component);

    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    const envVariables: Record<string, kplus.EnvValue> = {
      PORT: kplus.EnvValue.fromValue(String(props.port)),
      OTEL_SERVICE_NAME: kplus.EnvValue.fromValue(`catcast-${props.component}`),
    };
    for (const [k, v] of Object.entries(props.env ?? {})) envVariables[k] = kplus.EnvValue.fromValue(v);
    for (const s of props.secretEnv ?? []) envVariables[s.name] = secretEnvValue(this, s);

    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: this.name, labels },
      replicas: props.autoscaled ? undefined : props.replicas,
      select: false,
      podMetadata: {
        labels,
        ...(props.configChecksum ? { annotations: { 'checksum/config': props.configChecksum } } : {}),
      },
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        // Surge first, never drop below the desired count: a rollout must not shed capacity.
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      automountServiceAccountToken: props.serviceAccountName !== undefined,
      ...(props.serviceAccountName
        ? {
            serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'sa', props.serviceAccountName),
          }
        : {}),
      terminationGracePeriod: Duration.seconds(grace),
      securityContext: { ensureNonRoot: true, user: APP_UID, group: APP_UID, fsGroup: APP_UID },
      volumes: [tmp],
      containers: [
        {
          name: props.component,
          image: props.image,
          imagePullPolicy:
            (props.imagePullPolicy as kplus.ImagePullPolicy | undefined) ??
            kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: [props.binary ?? props.component],
          ports: [
            { number: props.port, name: 'http' },
            ...(props.extraPorts ?? []).map((p) => ({ number: p.containerPort, name: p.name })),
          ],
          envFrom: [
            kplus.Env.fromConfigMap(kplus.ConfigMap.fromConfigMapName(this, 'config', props.configMapName)),
          ],
          envVariables,
          // Readiness gates traffic on dependencies; liveness only on the process itself, so a
          // database outage makes pods unready instead of restarting them all.
          readiness: kplus.Probe.fromHttpGet('/ready', {
            port: props.port,
            periodSeconds: Duration.seconds(5),
            timeoutSeconds: Duration.seconds(2),
            failureThreshold: 3,
          }),
          liveness: kplus.Probe.fromHttpGet('/health', {
            port: props.port,
            periodSeconds: Duration.seconds(10),
            timeoutSeconds: Duration.seconds(2),
            failureThreshold: 3,
          }),
          startup: kplus.Probe.fromHttpGet('/health', {
            port: props.port,
            periodSeconds: Duration.seconds(2),
            failureThreshold: 30,
          }),
          // The sleep keeps serving while endpoints and the ingress controller drop the pod; SIGTERM
          // follows and the binary finishes its in-flight batch within the remaining grace period.
          lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', String(preStop)]) },
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            user: APP_UID,
            group: APP_UID,
          },
          volumeMounts: [{ path: '/tmp', volume: tmp }],
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: selector }));
    // cdk8s-plus defaults replicas to 2; with an autoscaler the field must be absent so that a
    // Helm upgrade does not reset the autoscaler's choice.
    if (props.autoscaled) ApiObject.of(this.deployment).addJsonPatch(JsonPatch.remove('/spec/replicas'));
    hardenPodSpec(this.deployment, '/spec/template/spec', props.resources, props.imagePullSecrets ?? []);
    // Prefer nodes without a replica of this component (soft, like the hostname spread below, so a
    // single-node cluster still schedules every replica): a node failure never takes them all.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/affinity', {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                labelSelector: { matchLabels: selector },
                topologyKey: 'kubernetes.io/hostname',
              },
            },
          ],
        },
      }),
    );
    const spread = props.topologySpread ?? {};
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        {
          maxSkew: spread.maxSkew ?? 1,
          topologyKey: spread.topologyKey ?? 'topology.kubernetes.io/zone',
          whenUnsatisfiable: spread.whenUnsatisfiable ?? 'ScheduleAnyway',
          labelSelector: { matchLabels: selector },
        },
        {
          // Also spread across nodes, so one node drain never takes all replicas.
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: selector },
        },
      ]),
    );

    new kplus.k8s.KubeService(this, 'service', {
      metadata: { name: this.name, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          {
            name: 'http',
            port: props.port,
            targetPort: kplus.k8s.IntOrString.fromString('http'),
            protocol: 'TCP',
          },
          ...(props.extraPorts ?? []).map((p) => ({
            name: p.name,
            port: p.servicePort,
            targetPort: kplus.k8s.IntOrString.fromString(p.name),
            protocol: 'TCP',
          })),
        ],
      },
    });

    new kplus.k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: this.name, labels },
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(pdbMaxUnavailable),
        selector: { matchLabels: selector },
      },
    });

    if (hpa) {
      new kplus.k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name: this.name, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
          minReplicas: hpa.minReplicas,
          maxReplicas: hpa.maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: hpa.targetCPUUtilizationPercentage },
              },
            },
          ],
        },
      });
    }
  }
}
