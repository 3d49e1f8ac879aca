import { Construct } from 'constructs';
import { AppDeployment, type CpuAutoscaling } from './app-deployment.js';
import type { ComponentSizing, WorkloadCommon } from './workload-defaults.js';

/** Port of the ingest binary. */
export const INGEST_PORT = 8081;

/** Props of {@link Ingest}. */
export interface IngestProps extends WorkloadCommon, ComponentSizing {
  /**
   * CPU autoscaling; replicas is then only the HPA's starting point.
   * @default - fixed replicas
   */
  readonly autoscaling?: CpuAutoscaling;
}

/** ingest: the HTTP order intake (writes orders and the outbox in one transaction), scaled on CPU. */
export class Ingest extends Construct {
  /** The Deployment/Service pair. */
  public readonly app: AppDeployment;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.app = new AppDeployment(this, 'app', {
      ...props,
      component: 'ingest',
      port: INGEST_PORT,
      autoscaled: props.autoscaling !== undefined,
      cpuAutoscaling: props.autoscaling,
      secretEnv: [...props.databaseEnv, ...props.authEnv],
    });
  }
}
