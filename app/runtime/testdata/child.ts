/** Test-only: a spawned child process whose stdout lines and exit the test can wait for. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the first stdout line matching; rejects if the child exits first. */
  waitForLine(match: RegExp): Promise<string>;
  readonly exited: Promise<Exit>;
}

export function spawnChild(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Child {
  const proc = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { match: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  const settle = (): void => {
    for (const w of [...waiters]) {
      const line = stdout.split('\n').find((l) => w.match.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    settle();
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    proc.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) {
        w.reject(new Error(`child exited (${code ?? signal}) before printing ${w.match}: ${stderr}`));
      }
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    proc,
    exited,
    waitForLine: (match) =>
      new Promise((resolve, reject) => {
        waiters.push({ match, resolve, reject });
        settle();
      }),
  };
}

/** The environment of the test process minus leadgate's variables, so the developer's shell cannot leak in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(LEADGATE_|HUBSPOT_|SALESFORCE_|PORT$|HOST$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
