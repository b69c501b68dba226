// The secrets folder's only door: key ring, AES-256-GCM envelopes, encrypted credentials.
export { createKeyRing, keyIdOf, KeyRingError, KEY_BYTES } from './key-ring.ts';
export type { EncryptionKey, KeyRing } from './key-ring.ts';
export { seal, open, envelopeKeyId, DecryptError } from './envelope.ts';
export { loadKeyRing, buildKeyRing, SANDBOX_KEY_FILE } from './load-key-ring.ts';
export type { KeyRingSources } from './load-key-ring.ts';
export { saveCredential, loadCredential, reencryptCredentials } from './credentials.ts';
