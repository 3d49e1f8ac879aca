import { Construct } from 'constructs';
import { AppDeployment } from './app-deployment.js';
import type { ComponentSizing, WorkloadCommon } from './workload-defaults.js';

/** Health/metrics port of the relay binary. */
export const RELAY_PORT = 8083;

/** Props of {@link Relay}. */
export interface RelayProps extends WorkloadCommon, ComponentSizing {
  /**
   * Upper bound of replicas: relays are leader-free (rows claimed with SKIP LOCKED), but every extra
   * replica adds polling load on the outbox table.
   * @default 3
   */
  readonly maxReplicas?: number;
}

/** relay: publishes outbox rows to Kafka; a bounded, fixed number of replicas. */
export class Relay extends Construct {
  /** The Deployment/Service pair. */
  public readonly app: AppDeployment;

  constructor(scope: Construct, id: string, props: RelayProps) {
    super(scope, id);
    const max = props.maxReplicas ?? 3;
    if (props.replicas < 1 || props.replicas > max) {
      throw new Error(`relay: replicas must be in 1..maxReplicas (${max}), got ${props.replicas}`);
    }
    this.app = new AppDeployment(this, 'app', {
      ...props,
      component: 'relay',
      port: RELAY_PORT,
      secretEnv: props.databaseEnv,
    });
  }
}
