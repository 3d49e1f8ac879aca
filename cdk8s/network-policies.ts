import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { API_CLIENT_LABEL, commonLabels, releaseSelectorLabels, selectorLabels } from './labels.js';

/** A component that listens on a port. */
export interface ListeningComponent {
  readonly component: string;
  readonly port: number;
}

/** Props of {@link CatcastNetworkPolicies}. */
export interface CatcastNetworkPoliciesProps {
  /** Release name (names, selectors). */
  readonly release: string;
  /** app.kubernetes.io/version label value. */
  readonly version: string;
  /** Components reached through the ingress controller. */
  readonly publicComponents: readonly ListeningComponent[];
  /** Every component with an HTTP port (metrics scraping, in-namespace API clients). */
  readonly allComponents: readonly ListeningComponent[];
  /** Labels of the ingress controller's namespace. */
  readonly ingressControllerNamespaceLabels: Readonly<Record<string, string>>;
  /** Labels of the ingress controller's pods. */
  readonly ingressControllerPodLabels: Readonly<Record<string, string>>;
  /** Labels of the namespace Prometheus scrapes from. */
  readonly prometheusNamespaceLabels: Readonly<Record<string, string>>;
  /** Egress destination ports. */
  readonly egressPorts: {
    readonly dns: readonly number[];
    readonly postgres: readonly number[];
    readonly kafka: readonly number[];
    readonly otel: readonly number[];
    /** The OpenID provider (discovery, JWKS, token endpoint) that forecast-api and the aggregator's read API call. */
    readonly identityProvider: readonly number[];
    readonly apiServer: readonly number[];
  };
  /**
   * The external-metrics provider (lag autoscaling mode adapter): kube-apiserver calls its secure
   * port, Prometheus scrapes its http port, and it calls the API server.
   * @default - not deployed
   */
  readonly lagMetrics?: { readonly port: number; readonly securePort: number };
}

type Rule = kplus.k8s.NetworkPolicyPort;

function tcp(ports: readonly number[]): Rule[] {
  return ports.map((p) => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(p) }));
}

/**
 * Default-deny for every pod of the release, then exactly the flows the architecture needs:
 * ingress controller -> public HTTP services, Prometheus -> metrics, labelled in-namespace clients
 * (helm test, simulator) -> services; egress to DNS, Postgres, Kafka, the OTel collector, the OpenID
 * provider (discovery, JWKS, code exchange: the services that verify tokens), and the API server for
 * the forecast job's Leases.
 */
export class CatcastNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: CatcastNetworkPoliciesProps) {
    super(scope, id);
    const r = props.release;
    const labels = commonLabels(r, 'network-policy', props.version);
    const release = releaseSelectorLabels(r);
    const policy = (suffix: string, spec: kplus.k8s.NetworkPolicySpec) =>
      new kplus.k8s.KubeNetworkPolicy(this, suffix, { metadata: { name: `${r}-${suffix}`, labels }, spec });

    policy('default-deny', { podSelector: { matchLabels: release }, policyTypes: ['Ingress', 'Egress'] });

    for (const c of props.publicComponents) {
      policy(`allow-ingress-controller-to-${c.component}`, {
        podSelector: { matchLabels: selectorLabels(r, c.component) },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { ...props.ingressControllerNamespaceLabels } },
                podSelector: { matchLabels: { ...props.ingressControllerPodLabels } },
              },
            ],
            ports: tcp([c.port]),
          },
        ],
      });
    }
    for (const c of props.allComponents) {
      policy(`allow-clients-to-${c.component}`, {
        podSelector: { matchLabels: selectorLabels(r, c.component) },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { ...props.prometheusNamespaceLabels } } },
              { podSelector: { matchLabels: { [API_CLIENT_LABEL]: 'true' } } },
            ],
            ports: tcp([c.port]),
          },
        ],
      });
    }

    policy('allow-egress-dependencies', {
      podSelector: { matchLabels: release },
      policyTypes: ['Egress'],
      egress: [
        {
          ports: props.egressPorts.dns.flatMap((p) => [
            { protocol: 'UDP', port: kplus.k8s.IntOrString.fromNumber(p) },
            { protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(p) },
          ]),
        },
        {
          ports: tcp([
            ...props.egressPorts.postgres,
            ...props.egressPorts.kafka,
            ...props.egressPorts.otel,
            ...props.egressPorts.identityProvider,
          ]),
        },
      ],
    });
    policy('allow-egress-apiserver', {
      podSelector: { matchLabels: selectorLabels(r, 'forecast-job') },
      policyTypes: ['Egress'],
      egress: [{ ports: tcp(props.egressPorts.apiServer) }],
    });
    if (props.lagMetrics) {
      const lagMetrics = { matchLabels: selectorLabels(r, 'lag-metrics') };
      // kube-apiserver's requests come from the control plane's (host) addresses, which no pod or
      // namespace selector matches; the provider itself admits only the front proxy's certificate.
      policy('allow-apiserver-to-lag-metrics', {
        podSelector: lagMetrics,
        policyTypes: ['Ingress'],
        ingress: [{ ports: tcp([props.lagMetrics.securePort]) }],
      });
      policy('allow-prometheus-to-lag-metrics', {
        podSelector: lagMetrics,
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { ...props.prometheusNamespaceLabels } } }],
            ports: tcp([props.lagMetrics.port]),
          },
        ],
      });
      policy('allow-egress-apiserver-lag-metrics', {
        podSelector: lagMetrics,
        policyTypes: ['Egress'],
        egress: [{ ports: tcp(props.egressPorts.apiServer) }],
      });
    }
    policy('allow-egress-api-clients', {
      podSelector: { matchLabels: { [API_CLIENT_LABEL]: 'true' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ podSelector: { matchLabels: release } }],
          // aggregator and aggregator-api share a port: each port once.
          ports: tcp([...new Set(props.allComponents.map((c) => c.port))]),
        },
      ],
    });
  }
}
