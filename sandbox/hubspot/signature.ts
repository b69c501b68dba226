import { signatureV3 as sign } from '../../connectors/hubspot/signature.ts';

/**
 * The emulator signs webhooks with the same v3 signature function the app verifies with
 * (connectors/hubspot/signature.ts), so the two cannot drift apart.
 */
export interface SignatureInput {
  clientSecret: string;
  method: string;
  uri: string;
  body: string;
  timestamp: number;
}

export function signatureV3(input: SignatureInput): string {
  return sign(input.clientSecret, input.method, input.uri, input.body, String(input.timestamp));
}
