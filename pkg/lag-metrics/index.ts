export { parseLagMetricsConfig, lagMetricsEnv, type LagMetricsConfig } from './config.js';
export {
  externalMetricsApp,
  parseLabelSelector,
  peerFromNodeEnv,
  EXTERNAL_METRICS_GROUP,
  EXTERNAL_METRICS_VERSION,
  SelectorError,
  type ExternalMetricsAppOptions,
  type LagSeries,
  type LagSource,
} from './api.js';
export {
  AUTHENTICATION_CONFIGMAP,
  authenticateFrontProxy,
  parseFrontProxyTrust,
  subjectAccessReview,
  TrustConfigError,
  type Authorizer,
  type Caller,
  type FrontProxyTrust,
  type PeerIdentity,
} from './auth.js';
export { selfSignedCertificate, type ServingCertificate } from './cert.js';
export { run, subjectAccessReviewAuthorizer, type LagMetricsDeps } from './run.js';
