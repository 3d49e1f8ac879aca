import { Construct } from 'constructs';
import { AppDeployment } from './app-deployment.js';
import { KafkaLagAutoscaler, type KafkaLagAutoscalerProps } from './kafka-lag-autoscaler.js';
import type { ComponentSizing, WorkloadCommon } from './workload-defaults.js';

/** Port of the aggregator binary, in both of its roles (read API or /health, /ready, /metrics). */
export const AGGREGATOR_PORT = 8082;

/** Props of {@link Aggregator}. */
export interface AggregatorProps extends WorkloadCommon, ComponentSizing {
  /**
   * Scaling on Kafka consumer lag (KEDA ScaledObject or an External-metric HPA).
   * @default - fixed replicas
   */
  readonly lagAutoscaling?: Omit<KafkaLagAutoscalerProps, 'release' | 'version' | 'targetName'>;
}

/**
 * aggregator: the Kafka consumer (AGGREGATOR_ROLE=consumer) that folds order events into the category
 * aggregates, scaled on consumer lag; its HTTP port serves only /health, /ready and /metrics. The read
 * API runs from the same binary in its own Deployment ({@link AggregatorApi}).
 */
export class Aggregator extends Construct {
  /** The Deployment/Service pair. */
  public readonly app: AppDeployment;

  constructor(scope: Construct, id: string, props: AggregatorProps) {
    super(scope, id);
    this.app = new AppDeployment(this, 'app', {
      ...props,
      component: 'aggregator',
      port: AGGREGATOR_PORT,
      env: { AGGREGATOR_ROLE: 'consumer' },
      autoscaled: props.lagAutoscaling !== undefined,
      // The consumer serves no API and parses no AUTH_*: it gets the database credentials only.
      secretEnv: props.databaseEnv,
    });
    if (props.lagAutoscaling) {
      new KafkaLagAutoscaler(this, 'autoscaler', {
        ...props.lagAutoscaling,
        release: props.release,
        version: props.version,
        targetName: this.app.name,
      });
    }
  }
}
