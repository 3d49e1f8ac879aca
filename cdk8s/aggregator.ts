import { Construct } from 'constructs';
import { AppDeployment } from './app-deployment.js';
import { KafkaLagAutoscaler, type KafkaLagAutoscalerProps } from './kafka-lag-autoscaler.js';
import type { ComponentSizing, WorkloadCommon } from './workload-defaults.js';

/** Port of the aggregator binary (its top-sales query API and probes). */
export const AGGREGATOR_PORT = 8082;

/** Props of {@link Aggregator}. */
export interface AggregatorProps extends WorkloadCommon, ComponentSizing {
  /**
   * Scaling on Kafka consumer lag (KEDA ScaledObject or an External-metric HPA).
   * @default - fixed replicas
   */
  readonly lagAutoscaling?: Omit<KafkaLagAutoscalerProps, 'release' | 'version' | 'targetName'>;
}

/** aggregator: consumes order events into category aggregates and serves /api; scaled on consumer lag. */
export class Aggregator extends Construct {
  /** The Deployment/Service pair. */
  public readonly app: AppDeployment;

  constructor(scope: Construct, id: string, props: AggregatorProps) {
    super(scope, id);
    this.app = new AppDeployment(this, 'app', {
      ...props,
      component: 'aggregator',
      port: AGGREGATOR_PORT,
      autoscaled: props.lagAutoscaling !== undefined,
      secretEnv: [...props.databaseEnv, ...props.authEnv],
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
