import { X509Certificate, createPublicKey, verify } from 'node:crypto';

export interface JwtClaims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
}

export class JwtError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'JwtError';
  }
}

const decodePart = (part: string): Record<string, unknown> => {
  const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
  return parsed as Record<string, unknown>;
};

/** Reads an assertion's header and claims without trusting them yet (the issuer picks the key). */
export function decodeAssertion(assertion: string): {
  header: Record<string, unknown>;
  claims: JwtClaims;
  signed: string;
  signature: Buffer;
} {
  const parts = assertion.split('.');
  if (parts.length !== 3) throw new JwtError('invalid_grant', 'invalid assertion');
  const [h = '', p = '', s = ''] = parts;
  try {
    return {
      header: decodePart(h),
      claims: decodePart(p),
      signed: `${h}.${p}`,
      signature: Buffer.from(s, 'base64url'),
    };
  } catch {
    throw new JwtError('invalid_grant', 'invalid assertion');
  }
}

/** RS256 only, as the JWT bearer flow requires (`{"alg":"RS256"}`, salesforce.md §1.5). */
export function verifyRs256(signed: string, signature: Buffer, certificatePem: string): boolean {
  // The connected app holds an X.509 certificate; a bare public key is accepted too.
  const key = certificatePem.includes('BEGIN CERTIFICATE')
    ? new X509Certificate(certificatePem).publicKey
    : createPublicKey(certificatePem);
  return verify('RSA-SHA256', Buffer.from(signed), key, signature);
}
