import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** A PEM certificate and its PEM private key. */
export interface ServingCertificate {
  readonly cert: string;
  readonly key: string;
}

/** Options of {@link selfSignedCertificate}. */
export interface SelfSignedOptions {
  /** Subject common name. */
  readonly commonName: string;
  /** DNS subject alternative names (e.g. the Service's names). @default none */
  readonly dnsNames?: readonly string[];
  /** Validity from now, in days. @default 365 */
  readonly days?: number;
  /** @default new Date() */
  readonly now?: Date;
}

// DER (X.690) encoding, just the few types an X.509 v3 certificate needs.
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}
const sequence = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const oid = (bytes: number[]): Buffer => tlv(0x06, Buffer.from(bytes));
const utcTime = (d: Date): Buffer =>
  tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'ascii'));

// ecdsa-with-SHA256 (1.2.840.10045.4.3.2), commonName (2.5.4.3), subjectAltName (2.5.29.17).
const ECDSA_SHA256 = sequence(oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
const COMMON_NAME = [0x55, 0x04, 0x03];
const SUBJECT_ALT_NAME = [0x55, 0x1d, 0x11];

function name(commonName: string): Buffer {
  return sequence(tlv(0x31, sequence(oid(COMMON_NAME), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Makes a self-signed X.509 v3 serving certificate with a new P-256 key, for a server whose clients
 * do not verify it by a CA (kube-apiserver with an APIService's insecureSkipTLSVerify) or pin it.
 * Node can parse certificates but not write them, and the image has no openssl; this is the DER by hand.
 */
export function selfSignedCertificate(options: SelfSignedOptions): ServingCertificate {
  const { commonName, dnsNames = [], days = 365, now = new Date() } = options;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  const notAfter = new Date(now.getTime() + days * 86_400_000);
  const extensions =
    dnsNames.length > 0
      ? [
          tlv(
            0xa3,
            sequence(
              sequence(
                oid(SUBJECT_ALT_NAME),
                tlv(0x04, sequence(...dnsNames.map((n) => tlv(0x82, Buffer.from(n, 'ascii'))))),
              ),
            ),
          ),
        ]
      : [];
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))), // version v3
    tlv(0x02, serial),
    ECDSA_SHA256,
    name(commonName),
    sequence(utcTime(new Date(now.getTime() - 60_000)), utcTime(notAfter)),
    name(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    ...extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
  return {
    cert: pem('CERTIFICATE', der),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
