import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { commonLabels } from './labels.js';

/** Props of {@link AppConfig}. */
export interface AppConfigProps {
  /** Release name; the ConfigMap is `<release>-config`. */
  readonly release: string;
  /** Value of the app.kubernetes.io/version label. */
  readonly version: string;
  /** Environment variables shared by every binary; empty values are dropped (unset, not ""). */
  readonly data: Readonly<Record<string, string>>;
}

/** The ConfigMap of non-secret settings that every catcast container reads with envFrom. */
export class AppConfig extends Construct {
  /** Name of the ConfigMap. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: AppConfigProps) {
    super(scope, id);
    for (const key of Object.keys(props.data)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(key)) {
        throw new Error(`config key '${key}' is not an environment variable name (A-Z, 0-9, _)`);
      }
    }
    this.name = `${props.release}-config`;
    const data = Object.fromEntries(Object.entries(props.data).filter(([, v]) => v !== ''));
    new kplus.ConfigMap(this, 'config', {
      metadata: { name: this.name, labels: commonLabels(props.release, 'config', props.version) },
      data,
    });
  }
}
