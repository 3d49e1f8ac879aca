/**
 * Who may call the external metrics API: kube-apiserver's front proxy, as every aggregated API
 * server trusts it (the "requestheader" settings kube-apiserver publishes in the ConfigMap
 * kube-system/extension-apiserver-authentication), and the user it names, authorized by a
 * SubjectAccessReview.
 */

/** Name and namespace of the ConfigMap kube-apiserver publishes its front-proxy settings in. */
export const AUTHENTICATION_CONFIGMAP = {
  namespace: 'kube-system',
  name: 'extension-apiserver-authentication',
} as const;

/** kube-apiserver's front-proxy settings (its --requestheader-* flags). */
export interface FrontProxyTrust {
  /** PEM CA bundle that signs the front proxy's client certificate. */
  readonly clientCa: string;
  /** Common names the client certificate may have; empty: any name the CA signed. */
  readonly allowedNames: readonly string[];
  /** Headers naming the user (first present wins), e.g. X-Remote-User. */
  readonly usernameHeaders: readonly string[];
  /** Headers naming the user's groups, e.g. X-Remote-Group. */
  readonly groupHeaders: readonly string[];
  /** Prefixes of headers carrying extra user attributes, e.g. X-Remote-Extra-. */
  readonly extraHeaderPrefixes: readonly string[];
}

/** The user kube-apiserver authenticated and forwarded. */
export interface Caller {
  readonly user: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** The TLS client certificate of a connection, as the server verified it. */
export interface PeerIdentity {
  /** True when the certificate chains to the front-proxy CA. */
  readonly verified: boolean;
  /** Subject common name, when a certificate was sent. */
  readonly commonName?: string;
}

/** Raised when the front-proxy settings cannot be used; names the missing key. */
export class TrustConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrustConfigError';
  }
}

function jsonList(data: Readonly<Record<string, string>>, key: string): string[] {
  const raw = data[key];
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new TrustConfigError(`${AUTHENTICATION_CONFIGMAP.name}: ${key} is not a JSON list: ${raw}`, {
      cause: err,
    });
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
    throw new TrustConfigError(`${AUTHENTICATION_CONFIGMAP.name}: ${key} is not a list of strings: ${raw}`);
  }
  return parsed;
}

/** Reads the front-proxy settings from the ConfigMap's data; throws naming what is missing. */
export function parseFrontProxyTrust(data: Readonly<Record<string, string>> | undefined): FrontProxyTrust {
  const d = data ?? {};
  const clientCa = d['requestheader-client-ca-file'];
  if (!clientCa?.includes('BEGIN CERTIFICATE')) {
    throw new TrustConfigError(
      `${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name} has no requestheader-client-ca-file: kube-apiserver runs without --requestheader-client-ca-file, so it cannot call an aggregated API`,
    );
  }
  const usernameHeaders = jsonList(d, 'requestheader-username-headers');
  if (usernameHeaders.length === 0) {
    throw new TrustConfigError(
      `${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name} has no requestheader-username-headers`,
    );
  }
  return {
    clientCa,
    allowedNames: jsonList(d, 'requestheader-allowed-names'),
    usernameHeaders,
    groupHeaders: jsonList(d, 'requestheader-group-headers'),
    extraHeaderPrefixes: jsonList(d, 'requestheader-extra-headers-prefix'),
  };
}

/** Why a request was not authenticated. */
export type AuthenticationFailure =
  | 'no client certificate'
  | 'client certificate not signed by the front-proxy CA'
  | 'client certificate name not allowed'
  | 'no user header';

/** Node joins repeated request headers with ", "; Kubernetes sends one value per header line. */
function values(header: string | null): string[] {
  if (header === null) return [];
  return header
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/**
 * The caller of a request that came through kube-apiserver's front proxy: the connection's client
 * certificate must be verified against the front-proxy CA and carry an allowed name, and only then
 * are the user headers believed (anyone else could write them).
 */
export function authenticateFrontProxy(
  peer: PeerIdentity | undefined,
  headers: Headers,
  trust: FrontProxyTrust,
): Caller | AuthenticationFailure {
  if (!peer?.commonName) return 'no client certificate';
  if (!peer.verified) return 'client certificate not signed by the front-proxy CA';
  if (trust.allowedNames.length > 0 && !trust.allowedNames.includes(peer.commonName)) {
    return 'client certificate name not allowed';
  }
  const user = trust.usernameHeaders.map((h) => headers.get(h)?.trim()).find((v) => v);
  if (!user) return 'no user header';
  const groups = trust.groupHeaders.flatMap((h) => values(headers.get(h)));
  const extra: Record<string, string[]> = {};
  for (const [name, value] of headers) {
    const prefix = trust.extraHeaderPrefixes.find((p) => name.toLowerCase().startsWith(p.toLowerCase()));
    if (!prefix) continue;
    // Extra keys are lower-cased and percent-encoded in the header name (kube-apiserver's convention).
    const key = decodeURIComponent(name.slice(prefix.length).toLowerCase());
    extra[key] = [...(extra[key] ?? []), ...values(value)];
  }
  return { user, groups, extra };
}

/** What a caller asks to do, in SubjectAccessReview terms. */
export interface ResourceRequest {
  readonly namespace: string;
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/** A decision of the cluster's authorizer. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason?: string;
}

/** Asks the cluster whether `caller` may do `request` (a SubjectAccessReview). */
export interface Authorizer {
  authorize(caller: Caller, request: ResourceRequest): Promise<Decision>;
}

/** The SubjectAccessReview body that asks whether `caller` may do `request`. */
export function subjectAccessReview(caller: Caller, request: ResourceRequest) {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: caller.user,
      groups: [...caller.groups],
      extra: Object.fromEntries(Object.entries(caller.extra).map(([k, v]) => [k, [...v]])),
      resourceAttributes: { ...request },
    },
  };
}
