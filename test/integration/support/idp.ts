import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { waitFor } from './wait.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

/** A user of the test provider. */
export interface IdpUser {
  readonly password: string;
  readonly name: string;
  readonly merchants: readonly string[];
  readonly groups?: readonly string[];
}

/** Options of {@link startIdp}. */
export interface IdpOptions {
  readonly users: Readonly<Record<string, IdpUser>>;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Lifetime of access and ID tokens, Go duration ("20s"). @default 5m */
  readonly accessTokenTtl?: string;
  /** Address to listen on (port chosen by the kernel), e.g. a bridge address pods reach. @default 127.0.0.1 */
  readonly host?: string;
  /** Allowed redirect URI globs of the client. @default catcast-idp's (loopback /ui/auth/callback) */
  readonly redirectGlobs?: readonly string[];
  /** Allowed post-logout redirect URI globs. @default catcast-idp's (loopback /ui/*) */
  readonly postLogoutGlobs?: readonly string[];
}

/** catcast-idp (scripts/idp/main.go, an OpenID Provider built on zitadel/oidc), on 127.0.0.1 by default. */
export interface Idp {
  /** Issuer URL with its trailing slash, exactly as in its tokens and discovery document. */
  readonly issuer: string;
  readonly log: string[];
  stop(): Promise<void>;
}

/**
 * Builds catcast-idp if needed (scripts/tools.sh idp, from the Go module proxy) and starts it on a
 * free port of `host` (127.0.0.1 by default) with `users`. Fails (never skips) when it cannot start.
 */
export async function startIdp(options: IdpOptions): Promise<Idp> {
  const tools = path.join(root, 'scripts/tools.sh');
  await run('bash', [tools, 'idp'], { maxBuffer: 64 * 1024 * 1024 }).catch((err: unknown) => {
    throw new Error(`cannot build catcast-idp with scripts/tools.sh idp: ${(err as Error).message}`, {
      cause: err,
    });
  });
  const bin = path.join((await run('bash', [tools, 'path'])).stdout.trim(), 'catcast-idp');
  const dir = mkdtempSync(path.join(tmpdir(), 'catcast-idp-'));
  const users = path.join(dir, 'users.json');
  writeFileSync(users, JSON.stringify(options.users));
  const log: string[] = [];
  const child: ChildProcess = spawn(
    bin,
    [
      '-listen',
      `${options.host ?? '127.0.0.1'}:0`,
      '-users',
      users,
      '-client-id',
      options.clientId,
      '-client-secret',
      options.clientSecret,
      '-access-token-ttl',
      options.accessTokenTtl ?? '5m',
      ...(options.redirectGlobs ? ['-redirect-globs', options.redirectGlobs.join(',')] : []),
      ...(options.postLogoutGlobs ? ['-post-logout-globs', options.postLogoutGlobs.join(',')] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The first stdout line is the issuer (the port was chosen by the kernel, so no race for it).
    const issuer = await Promise.race([
      new Promise<string>((resolve) => {
        createInterface({ input: child.stdout! }).once('line', (l) => resolve(l.trim()));
      }),
      gone.then(() => Promise.reject(new Error('catcast-idp exited'))),
      new Promise<string>((_, reject) =>
        setTimeout(() => reject(new Error('no issuer line in 30 s')), 30_000),
      ),
    ]);
    await waitFor(
      'catcast-idp to serve its discovery document',
      async () => (await fetch(`${issuer}.well-known/openid-configuration`)).ok,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return { issuer, log, stop };
  } catch (err) {
    await stop();
    throw new Error(`catcast-idp did not start: ${log.join('').slice(-4000)}`, { cause: err });
  }
}
