/**
 * The data folder and the files in it hold leads, scores and sealed tokens: owner only (folder 0700,
 * files 0600), whatever the umask. Existing ones left wider (an older leadgate, a `cp -r`, an image
 * built with another umask) are tightened at start and each change is reported, so it can be logged.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** One path whose mode was narrowed: permission bits before and after. */
export interface PermissionChange {
  readonly path: string;
  readonly from: number;
  readonly to: number;
}

export type OnPermissionsTightened = (change: PermissionChange) => void;

function modeIfExists(path: string): number | undefined {
  try {
    return statSync(path).mode;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Narrows `path` to `mode` when group or others have any bit; returns what changed. */
function tighten(path: string, current: number, mode: number): PermissionChange | undefined {
  const bits = current & 0o777;
  if ((bits & ~mode & 0o777) === 0) return undefined;
  chmodSync(path, mode);
  return { path, from: bits, to: mode };
}

/**
 * Creates `dir` (and missing parents) 0700, or tightens an existing one that is wider. A folder with
 * the sticky bit (/tmp and the like, shared by design) is never changed: LEADGATE_DATA_DIR pointing
 * at one is a mistake to fix, not a folder to take over.
 */
export function securePrivateDir(dir: string, onTightened?: OnPermissionsTightened): void {
  const existing = modeIfExists(dir);
  if (existing === undefined) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // mkdir's mode is narrowed by the umask, never widened; chmod makes it exact.
    chmodSync(dir, PRIVATE_DIR_MODE);
    return;
  }
  if ((existing & 0o1000) !== 0) return;
  const change = tighten(dir, existing, PRIVATE_DIR_MODE);
  if (change !== undefined) onTightened?.(change);
}

/** Tightens an existing folder only; a missing one is left missing (nothing is stored there yet). */
export function tightenPrivateDirIfExists(dir: string, onTightened?: OnPermissionsTightened): void {
  if (modeIfExists(dir) !== undefined) securePrivateDir(dir, onTightened);
}

/**
 * Tightens `file` to 0600 when it exists, or (with `create`) creates it empty with 0600 from the first
 * byte, so a program that then opens it (SQLite) keeps that mode and never makes it readable to others.
 */
export function securePrivateFile(
  file: string,
  options: { readonly create?: boolean; readonly onTightened?: OnPermissionsTightened | undefined } = {},
): void {
  const existing = modeIfExists(file);
  if (existing === undefined) {
    if (options.create !== true) return;
    // 'a': creates when missing, never truncates one another process created in between.
    closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
    chmodSync(file, PRIVATE_FILE_MODE);
    return;
  }
  const change = tighten(file, existing, PRIVATE_FILE_MODE);
  if (change !== undefined) options.onTightened?.(change);
}
