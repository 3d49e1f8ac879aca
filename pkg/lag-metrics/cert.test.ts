import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './cert.js';

describe('selfSignedCertificate', () => {
  it('is a v3 certificate signed by its own key, with the names and validity asked for', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const { cert } = selfSignedCertificate({
      commonName: 'catcast-lag-metrics',
      dnsNames: ['lag.catcast.svc', 'lag.catcast.svc.cluster.local'],
      days: 30,
      now,
    });
    const x = new X509Certificate(cert);
    expect(x.subject).toBe('CN=catcast-lag-metrics');
    expect(x.issuer).toBe(x.subject);
    expect(x.subjectAltName).toBe('DNS:lag.catcast.svc, DNS:lag.catcast.svc.cluster.local');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(new Date(x.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    expect(new Date(x.validFrom).getTime()).toBeLessThan(now.getTime());
  });

  it('gives every certificate its own key and serial', () => {
    const a = new X509Certificate(selfSignedCertificate({ commonName: 'a' }).cert);
    const b = new X509Certificate(selfSignedCertificate({ commonName: 'a' }).cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ type: 'spki', format: 'pem' })).not.toEqual(
      b.publicKey.export({ type: 'spki', format: 'pem' }),
    );
  });

  it('serves TLS that a client pinning the certificate accepts', async () => {
    const { cert, key } = selfSignedCertificate({ commonName: 'pinned', dnsNames: ['pinned.test'] });
    const server = createServer({ cert, key }, (socket) => socket.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect({ host: '127.0.0.1', port, ca: cert, servername: 'pinned.test' });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      await once(socket, 'end');
      expect(socket.authorized).toBe(true);
      expect(text).toBe('hello');
    } finally {
      server.close();
    }
  });
});
