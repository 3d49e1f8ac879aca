import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { commonLabels } from './labels.js';

/** A Service behind one or more ingress path prefixes. */
export interface IngressRoute {
  /** Path prefixes, e.g. ['/ui', '/forecast']. */
  readonly paths: readonly string[];
  /** Service name. */
  readonly serviceName: string;
  /** Service port. */
  readonly servicePort: number;
}

/** Props of {@link CatcastIngress}. */
export interface CatcastIngressProps {
  /** Release name (object name and labels). */
  readonly release: string;
  /** app.kubernetes.io/version label value. */
  readonly version: string;
  /** IngressClass name, e.g. nginx. */
  readonly className: string;
  /**
   * Host to match.
   * @default - any host
   */
  readonly host?: string;
  /**
   * Existing TLS Secret; when set, the ingress terminates TLS with it.
   * @default - plain HTTP
   */
  readonly tlsSecretName?: string;
  /** @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Routes; every path must start with '/' and appear once. */
  readonly routes: readonly IngressRoute[];
}

/** The one Ingress of the release: /ui and /forecast to forecast-api, /api to aggregator, /v1 to ingest. */
export class CatcastIngress extends Construct {
  constructor(scope: Construct, id: string, props: CatcastIngressProps) {
    super(scope, id);
    const seen = new Set<string>();
    for (const r of props.routes) {
      for (const p of r.paths) {
        if (!p.startsWith('/')) throw new Error(`ingress: path '${p}' must start with '/'`);
        if (seen.has(p)) throw new Error(`ingress: path '${p}' is routed twice`);
        seen.add(p);
      }
    }
    const host = props.host ? props.host : undefined;
    new kplus.k8s.KubeIngress(this, 'ingress', {
      metadata: {
        name: props.release,
        labels: commonLabels(props.release, 'ingress', props.version),
        annotations: { ...(props.annotations ?? {}) },
      },
      spec: {
        ingressClassName: props.className,
        tls: props.tlsSecretName
          ? [{ hosts: host ? [host] : undefined, secretName: props.tlsSecretName }]
          : undefined,
        rules: [
          {
            host,
            http: {
              paths: props.routes.flatMap((r) =>
                r.paths.map((path) => ({
                  path,
                  pathType: 'Prefix',
                  backend: { service: { name: r.serviceName, port: { number: r.servicePort } } },
                })),
              ),
            },
          },
        ],
      },
    });
  }
}
