import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { commonLabels } from './labels.js';

/** Props of {@link KafkaLagAutoscaler}. */
export interface KafkaLagAutoscalerProps {
  /** Release name (labels, object name). */
  readonly release: string;
  /** app.kubernetes.io/version label value. */
  readonly version: string;
  /** Name of the Deployment to scale. */
  readonly targetName: string;
  /**
   * keda: a KEDA ScaledObject with the kafka scaler; hpa: an autoscaling/v2 HPA on an External metric
   * (for clusters whose one external-metrics server is not KEDA).
   */
  readonly mode: 'keda' | 'hpa';
  /** Lower bound; at least 1 so that a consumer always holds the partitions. */
  readonly minReplicas: number;
  /** Upper bound; at most the partition count (extra consumers would sit idle). */
  readonly maxReplicas: number;
  /** Partitions of the topic, used to check maxReplicas. */
  readonly partitions: number;
  /** Kafka bootstrap servers (comma-separated host:port). */
  readonly bootstrapServers: string;
  /** Consumer group whose lag is measured. */
  readonly consumerGroup: string;
  /** Topic whose lag is measured. */
  readonly topic: string;
  /** Target lag (messages) per replica. */
  readonly lagThreshold: number;
  /** @default 15 */
  readonly pollingIntervalSeconds?: number;
  /** @default 300 */
  readonly cooldownPeriodSeconds?: number;
  /**
   * External metric (hpa mode) served by the cluster's external-metrics adapter.
   * @default 'catcast_consumer_lag'
   */
  readonly externalMetricName?: string;
}

/** Scales a Deployment on Kafka consumer lag, with KEDA or with a plain autoscaling/v2 HPA. */
export class KafkaLagAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: KafkaLagAutoscalerProps) {
    super(scope, id);
    if (!Number.isInteger(props.minReplicas) || props.minReplicas < 1) {
      throw new Error(
        `aggregator autoscaling: minReplicas must be an integer >= 1, got ${props.minReplicas}`,
      );
    }
    if (props.maxReplicas < props.minReplicas) {
      throw new Error(
        `aggregator autoscaling: maxReplicas (${props.maxReplicas}) must be >= minReplicas (${props.minReplicas})`,
      );
    }
    if (props.maxReplicas > props.partitions) {
      throw new Error(
        `aggregator autoscaling: maxReplicas (${props.maxReplicas}) must be <= the topic's partitions (${props.partitions}); more consumers than partitions sit idle`,
      );
    }
    if (!(props.lagThreshold > 0)) {
      throw new Error(`aggregator autoscaling: lagThreshold must be > 0, got ${props.lagThreshold}`);
    }
    const labels = commonLabels(props.release, 'aggregator', props.version);
    if (props.mode === 'keda') {
      new ApiObject(this, 'scaledobject', {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: props.targetName, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.targetName },
          minReplicaCount: props.minReplicas,
          maxReplicaCount: props.maxReplicas,
          pollingInterval: props.pollingIntervalSeconds ?? 15,
          cooldownPeriod: props.cooldownPeriodSeconds ?? 300,
          triggers: [
            {
              type: 'kafka',
              metadata: {
                bootstrapServers: props.bootstrapServers,
                consumerGroup: props.consumerGroup,
                topic: props.topic,
                lagThreshold: String(props.lagThreshold),
                // A new group with no committed offsets must still scale from its lag.
                offsetResetPolicy: 'earliest',
                allowIdleConsumers: 'false',
              },
            },
          ],
        },
      });
    } else {
      new kplus.k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name: props.targetName, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.targetName },
          minReplicas: props.minReplicas,
          maxReplicas: props.maxReplicas,
          metrics: [
            {
              type: 'External',
              external: {
                metric: {
                  name: props.externalMetricName ?? 'catcast_consumer_lag',
                  selector: { matchLabels: { consumer_group: props.consumerGroup, topic: props.topic } },
                },
                target: {
                  type: 'AverageValue',
                  averageValue: kplus.k8s.Quantity.fromString(String(props.lagThreshold)),
                },
              },
            },
          ],
          behavior: {
            scaleDown: { stabilizationWindowSeconds: props.cooldownPeriodSeconds ?? 300 },
          },
        },
      });
    }
  }
}
