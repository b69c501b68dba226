import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { securePrivateDir } from '../private-files.ts';
import type { KeyRing } from './key-ring.ts';
import { KEY_BYTES, KeyRingError, createKeyRing } from './key-ring.ts';

export const SANDBOX_KEY_FILE = 'encryption.key';
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

export interface KeyRingSources {
  /** LEADGATE_ENCRYPTION_KEY, decoded; null when unset */
  current: Buffer | null;
  /** LEADGATE_ENCRYPTION_KEYS_OLD, decoded */
  previous: readonly Buffer[];
  dataDir: string;
  /** sandbox mode may generate a key into dataDir; production must be given one */
  sandbox: boolean;
}

function decodeKey(text: string, label: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!BASE64_KEY.test(trimmed) || key.length !== KEY_BYTES) {
    throw new KeyRingError(`${label} must be base64 of exactly ${KEY_BYTES} bytes (openssl rand -base64 32)`);
  }
  return key;
}

/**
 * Reads the sandbox key file, or creates it once (0600, exclusive create so two processes starting
 * together cannot both write one). Refuses a key file other users can read.
 */
function sandboxKey(dataDir: string, create: boolean): Buffer | null {
  const file = join(dataDir, SANDBOX_KEY_FILE);
  securePrivateDir(dataDir);
  if (create) {
    try {
      writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600); // the umask may have narrowed mode, never widened it; make it exact
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
    }
  }
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null;
    throw err;
  }
  if ((mode & 0o077) !== 0) {
    throw new KeyRingError(
      `${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  return decodeKey(readFileSync(file, 'utf8'), file);
}

/**
 * Builds the ring from decoded keys. Without a configured key, sandbox mode uses (or generates) the key
 * file in dataDir; outside sandbox that is an error. With a configured key, a sandbox key file that
 * already exists joins as a previous key, so tokens stored before a key was configured still open.
 */
export function buildKeyRing(sources: KeyRingSources): KeyRing {
  if (sources.current !== null) {
    const fileKey = sources.sandbox ? sandboxKey(sources.dataDir, false) : null;
    return createKeyRing(
      sources.current,
      fileKey === null ? sources.previous : [...sources.previous, fileKey],
    );
  }
  if (!sources.sandbox) {
    throw new KeyRingError('LEADGATE_ENCRYPTION_KEY is required outside sandbox mode');
  }
  const generated = sandboxKey(sources.dataDir, true);
  if (generated === null)
    throw new KeyRingError(`could not create ${join(sources.dataDir, SANDBOX_KEY_FILE)}`);
  return createKeyRing(generated, sources.previous);
}

/**
 * The one place secrets code reads the environment: LEADGATE_ENCRYPTION_KEY (base64, 32 bytes) and
 * LEADGATE_ENCRYPTION_KEYS_OLD (comma-separated, same format). Pass process.env at the composition root.
 */
export function loadKeyRing(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
  options: { sandbox: boolean },
): KeyRing {
  const currentText = env.LEADGATE_ENCRYPTION_KEY;
  const oldText = env.LEADGATE_ENCRYPTION_KEYS_OLD;
  const current =
    currentText === undefined || currentText.trim() === ''
      ? null
      : decodeKey(currentText, 'LEADGATE_ENCRYPTION_KEY');
  const previous =
    oldText === undefined || oldText.trim() === ''
      ? []
      : oldText.split(',').map((k, i) => decodeKey(k, `LEADGATE_ENCRYPTION_KEYS_OLD[${i}]`));
  return buildKeyRing({ current, previous, dataDir, sandbox: options.sandbox });
}
