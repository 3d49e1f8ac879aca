import { parseArgs } from 'node:util';
import { mintToken, SCOPES, type Scope } from '../auth/index.js';
import { EXIT, UsageError, type CommandIo } from './io.js';

/** Usage of `catcast token`. */
export const TOKEN_USAGE = `catcast token --merchant ID|'*' [--merchant ID ...] --scope SCOPE [--scope ...] [--secret S]
              [--subject NAME] [--expires 12h]
  Prints an HS256 development token (production tokens come from your identity provider).
  Scopes: ${SCOPES.join(', ')} (comma lists allowed). Secret: --secret or AUTH_HS256_SECRET (>= 32 chars).
`;

/** Runs `catcast token`; returns the exit code. */
export async function tokenCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      secret: { type: 'string' },
      merchant: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      subject: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const secret = values.secret ?? env.AUTH_HS256_SECRET;
  if (!secret || secret.length < 32)
    throw new UsageError('a secret of at least 32 characters is needed: --secret or AUTH_HS256_SECRET');
  const scopes = (values.scope ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new UsageError(`--scope is required (one of ${SCOPES.join(', ')})`);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length)
    throw new UsageError(`unknown scope(s) ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`);
  const merchants = values.merchant ?? [];
  if (merchants.length === 0) throw new UsageError("--merchant is required (an id, or '*' for all)");
  if (!/^\d+[smhdw]$/.test(values.expires))
    throw new UsageError(`--expires must look like 30m, 12h or 7d, got ${values.expires}`);
  const token = await mintToken({
    secret,
    scopes: scopes as Scope[],
    merchants: merchants.includes('*') ? '*' : merchants,
    expiresIn: values.expires,
    ...(values.subject ? { subject: values.subject } : {}),
  });
  io.stdout(`${token}\n`);
  return EXIT.ok;
}
