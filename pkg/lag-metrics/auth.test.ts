import { describe, expect, it } from 'vitest';
import { parseFrontProxyTrust, subjectAccessReview, TrustConfigError } from './auth.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('parseFrontProxyTrust', () => {
  it('reads the requestheader settings kube-apiserver publishes', () => {
    expect(
      parseFrontProxyTrust({
        'client-ca-file': 'ignored',
        'requestheader-client-ca-file': CA,
        'requestheader-allowed-names': '["front-proxy-client"]',
        'requestheader-username-headers': '["X-Remote-User"]',
        'requestheader-group-headers': '["X-Remote-Group"]',
        'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
      }),
    ).toEqual({
      clientCa: CA,
      allowedNames: ['front-proxy-client'],
      usernameHeaders: ['X-Remote-User'],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
    });
  });

  it.each([
    ['no front-proxy CA', {}, 'no requestheader-client-ca-file'],
    ['no user header', { 'requestheader-client-ca-file': CA }, 'no requestheader-username-headers'],
    [
      'a header list that is not JSON',
      { 'requestheader-client-ca-file': CA, 'requestheader-username-headers': 'X-Remote-User' },
      'not a JSON list',
    ],
    [
      'a list of non-strings',
      { 'requestheader-client-ca-file': CA, 'requestheader-username-headers': '[1]' },
      'not a list of strings',
    ],
  ])('refuses %s, naming it', (_, data: Record<string, string>, message) => {
    expect(() => parseFrontProxyTrust(data)).toThrow(TrustConfigError);
    expect(() => parseFrontProxyTrust(data)).toThrow(message);
  });
});

describe('subjectAccessReview', () => {
  it('carries the user, groups, extra and the resource asked for', () => {
    expect(
      subjectAccessReview(
        { user: 'u', groups: ['g'], extra: { k: ['v'] } },
        { namespace: 'n', verb: 'list', group: 'external.metrics.k8s.io', version: 'v1beta1', resource: 'm' },
      ),
    ).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: 'u',
        groups: ['g'],
        extra: { k: ['v'] },
        resourceAttributes: {
          namespace: 'n',
          verb: 'list',
          group: 'external.metrics.k8s.io',
          version: 'v1beta1',
          resource: 'm',
        },
      },
    });
  });
});
