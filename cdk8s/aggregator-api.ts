import { Construct } from 'constructs';
import { AGGREGATOR_PORT } from './aggregator.js';
import { AppDeployment, type CpuAutoscaling } from './app-deployment.js';
import type { ComponentSizing, WorkloadCommon } from './workload-defaults.js';

/** Props of {@link AggregatorApi}. */
export interface AggregatorApiProps extends WorkloadCommon, ComponentSizing {
  /**
   * CPU autoscaling; replicas is then only the HPA's starting point.
   * @default - fixed replicas
   */
  readonly autoscaling?: CpuAutoscaling;
}

/**
 * aggregator-api: the aggregator binary with AGGREGATOR_ROLE=api — the read API (/api) without a Kafka
 * consumer, so reads never queue behind a batch being applied on the same event loop; it learns of
 * applied batches through PostgreSQL change notifications. Stateless, scaled on CPU.
 */
export class AggregatorApi extends Construct {
  /** The Deployment/Service pair. */
  public readonly app: AppDeployment;

  constructor(scope: Construct, id: string, props: AggregatorApiProps) {
    super(scope, id);
    this.app = new AppDeployment(this, 'app', {
      ...props,
      component: 'aggregator-api',
      binary: 'aggregator',
      port: AGGREGATOR_PORT,
      env: { AGGREGATOR_ROLE: 'api' },
      autoscaled: props.autoscaling !== undefined,
      cpuAutoscaling: props.autoscaling,
      secretEnv: [...props.databaseEnv, ...props.authEnv],
    });
  }
}
