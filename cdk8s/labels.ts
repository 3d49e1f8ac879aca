/** The `app.kubernetes.io/name` of every catcast object. */
export const APP_NAME = 'catcast';

/** Labels that select one component's pods; stable across upgrades, so never include the version. */
export function selectorLabels(release: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/component': component,
  };
}

/** Labels that select every pod of one release (NetworkPolicies, ServiceMonitor). */
export function releaseSelectorLabels(release: string): Record<string, string> {
  return { 'app.kubernetes.io/name': APP_NAME, 'app.kubernetes.io/instance': release };
}

/** Metadata labels of an object of `component`: the selector labels plus version and part-of. */
export function commonLabels(release: string, component: string, version: string): Record<string, string> {
  return {
    ...selectorLabels(release, component),
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/part-of': APP_NAME,
  };
}

/** Pods carrying this label may call the catcast HTTP services (helm test, the kind simulator). */
export const API_CLIENT_LABEL = 'catcast.io/api-client';
