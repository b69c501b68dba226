import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { securePrivateDir, securePrivateFile, tightenPrivateDirIfExists } from './private-files.ts';
import type { PermissionChange } from './private-files.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'leadgate-private-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const modeOf = (path: string): number => statSync(path).mode & 0o7777;

describe('private files', () => {
  it('leaves a shared folder with the sticky bit (like /tmp) as it is', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const changes: PermissionChange[] = [];
    securePrivateDir(shared, (c) => changes.push(c));
    expect(modeOf(shared)).toBe(0o1777);
    expect(changes).toEqual([]);
  });

  it('does not create a folder it is only asked to tighten', () => {
    tightenPrivateDirIfExists(join(root, 'missing'));
    expect(() => statSync(join(root, 'missing'))).toThrow(/ENOENT/);
  });

  it('creates a file 0600 only when asked, and narrows one left wider', () => {
    const file = join(root, 'f');
    securePrivateFile(file);
    expect(() => statSync(file)).toThrow(/ENOENT/);
    securePrivateFile(file, { create: true });
    expect(modeOf(file)).toBe(0o600);
    chmodSync(file, 0o640);
    const changes: PermissionChange[] = [];
    securePrivateFile(file, { onTightened: (c) => changes.push(c) });
    expect(modeOf(file)).toBe(0o600);
    expect(changes).toEqual([{ path: file, from: 0o640, to: 0o600 }]);
  });

  it('keeps a folder narrower than 0700 as it is', () => {
    const dir = join(root, 'narrow');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    securePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o500);
  });
});
