import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { securePrivateDir } from '../kit/private-files.ts';

/** `<dataDir>/sandbox.json`: what a developer needs to call the local instance (secret: 0600). */
export const SANDBOX_FILE = 'sandbox.json';

/**
 * The file's content. Other sandbox work (emulator installs) adds its own keys, so writers merge
 * into what is there and keep keys they do not know.
 */
export type SandboxFile = Readonly<Record<string, unknown>>;

export class SandboxFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxFileError';
  }
}

export function sandboxFilePath(dataDir: string): string {
  return join(dataDir, SANDBOX_FILE);
}

/** The file's object, `{}` when it does not exist. Refuses one other users can read: it holds an admin key. */
export function readSandboxFile(dataDir: string): SandboxFile {
  const file = sandboxFilePath(dataDir);
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return {};
    throw err;
  }
  if ((mode & 0o077) !== 0) {
    throw new SandboxFileError(
      `${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SandboxFileError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SandboxFileError(`${file} must hold a JSON object`);
  }
  return parsed as SandboxFile;
}

/**
 * Merges `patch` into the file and writes it atomically (temp file + rename), mode 0600 from the
 * first byte, so a crash never leaves a half-written file or a moment where the key is world-readable.
 */
export function mergeSandboxFile(dataDir: string, patch: SandboxFile): SandboxFile {
  securePrivateDir(dataDir);
  const merged = { ...readSandboxFile(dataDir), ...patch };
  const file = sandboxFilePath(dataDir);
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600); // the umask may have narrowed the mode, never widened it; make it exact
  renameSync(temp, file);
  return merged;
}
