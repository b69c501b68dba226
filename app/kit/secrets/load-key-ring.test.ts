import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from './key-ring.ts';
import { SANDBOX_KEY_FILE, loadKeyRing } from './load-key-ring.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'leadgate-keys-'));
const b64 = () => randomBytes(32).toString('base64');

describe('loadKeyRing', () => {
  it('uses LEADGATE_ENCRYPTION_KEY as the current key and the old keys for opening', () => {
    const cur = b64();
    const old = b64();
    const ring = loadKeyRing(
      { LEADGATE_ENCRYPTION_KEY: cur, LEADGATE_ENCRYPTION_KEYS_OLD: ` ${old} ` },
      tmp(),
      {
        sandbox: false,
      },
    );
    expect(ring.current.id).toBe(keyIdOf(Buffer.from(cur, 'base64')));
    expect(ring.byId.has(keyIdOf(Buffer.from(old, 'base64')))).toBe(true);
  });

  it('creates the data folder 0700 when the sandbox key is the first thing written (issue 14 item 11)', () => {
    const dir = join(tmp(), 'data');
    loadKeyRing({}, dir, { sandbox: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, SANDBOX_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('fails outside sandbox mode without a key', () => {
    expect(() => loadKeyRing({}, tmp(), { sandbox: false })).toThrow(/LEADGATE_ENCRYPTION_KEY is required/);
  });

  it('refuses a key that is not base64 of 32 bytes, naming the variable', () => {
    expect(() => loadKeyRing({ LEADGATE_ENCRYPTION_KEY: 'c2hvcnQ=' }, tmp(), { sandbox: false })).toThrow(
      /LEADGATE_ENCRYPTION_KEY must be base64/,
    );
    expect(() =>
      loadKeyRing({ LEADGATE_ENCRYPTION_KEY: b64(), LEADGATE_ENCRYPTION_KEYS_OLD: `${b64()},nope` }, tmp(), {
        sandbox: false,
      }),
    ).toThrow(/LEADGATE_ENCRYPTION_KEYS_OLD\[1\]/);
  });

  it('generates a sandbox key once, mode 0600, and reuses it', () => {
    const dir = tmp();
    const first = loadKeyRing({}, dir, { sandbox: true });
    const file = join(dir, SANDBOX_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadKeyRing({}, dir, { sandbox: true });
    expect(second.current.id).toBe(first.current.id);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
  });

  it('refuses a sandbox key file that other users can read', () => {
    const dir = tmp();
    loadKeyRing({}, dir, { sandbox: true });
    chmodSync(join(dir, SANDBOX_KEY_FILE), 0o644);
    expect(() => loadKeyRing({}, dir, { sandbox: true })).toThrow(/readable by other users/);
  });

  it('keeps the generated sandbox key for opening once a key is configured', () => {
    const dir = tmp();
    const generated = loadKeyRing({}, dir, { sandbox: true });
    const ring = loadKeyRing({ LEADGATE_ENCRYPTION_KEY: b64() }, dir, { sandbox: true });
    expect(ring.current.id).not.toBe(generated.current.id);
    expect(ring.byId.has(generated.current.id)).toBe(true);
  });
});
