import { Construct } from 'constructs';
import { AppDeployment, type CpuAutoscaling } from './app-deployment.js';
import type { ComponentSizing, WorkloadCommon } from './workload-defaults.js';

/** Port of the forecast-api binary. */
export const FORECAST_API_PORT = 8090;

/** Props of {@link ForecastApi}. */
export interface ForecastApiProps extends WorkloadCommon, ComponentSizing {
  /**
   * CPU autoscaling; replicas is then only the HPA's starting point.
   * @default - fixed replicas
   */
  readonly autoscaling?: CpuAutoscaling;
}

/** forecast-api: serves precomputed forecasts and the merchant UI (/ui), scaled on CPU. */
export class ForecastApi extends Construct {
  /** The Deployment/Service pair. */
  public readonly app: AppDeployment;

  constructor(scope: Construct, id: string, props: ForecastApiProps) {
    super(scope, id);
    this.app = new AppDeployment(this, 'app', {
      ...props,
      component: 'forecast-api',
      port: FORECAST_API_PORT,
      autoscaled: props.autoscaling !== undefined,
      cpuAutoscaling: props.autoscaling,
      secretEnv: [...props.databaseEnv, ...props.authEnv],
    });
  }
}
