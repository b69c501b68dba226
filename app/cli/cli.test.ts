import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticLeads, toCsv } from '../../test/synthetic-leads.ts';
import { main } from './main.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    now: () => new Date('2026-11-27T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'leadgate-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const leadsCsv = file('leads.csv', toCsv(syntheticLeads(1500, 3)));
const model = join(dir, 'model.json');

describe('leadgate train', () => {
  let result: Run;
  beforeAll(async () => {
    result = await run('train', '--data', leadsCsv, '--label', 'converted', '--id', 'id', '--out', model);
  });

  it('prints one JSON object of held-out metrics on stdout', () => {
    expect(result.code).toBe(0);
    const metrics = JSON.parse(result.stdout) as Record<string, number>;
    for (const key of [
      'auc',
      'pr_auc',
      'log_loss',
      'brier',
      'ece',
      'lift_top_decile',
      'n_train',
      'n_test',
      'seconds',
    ]) {
      expect(typeof metrics[key]).toBe('number');
    }
    expect(metrics.n_train).toBe(1200);
    expect(metrics.n_test).toBe(300);
    expect(metrics.auc).toBeGreaterThan(0.7);
  });

  it('reports progress on stderr, not stdout', () => {
    expect(result.stderr).toMatch(/cross-validation/);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('writes a model that evaluate reads back', async () => {
    const evaluation = await run('evaluate', '--model', model, '--data', leadsCsv, '--label', 'converted');
    expect(evaluation.code).toBe(0);
    expect(JSON.parse(evaluation.stdout)).toMatchObject({ n_test: 1500, n_train: 1200 });
  });

  it('scores every row as a JSON line with the id column', async () => {
    const out = join(dir, 'scores.jsonl');
    const scored = await run('score', '--model', model, '--data', leadsCsv, '--out', out);
    expect(scored.code).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1500);
    expect(lines[0]).toMatchObject({ id: 'L1' });
    for (const key of [
      'probability',
      'score',
      'tier',
      'route',
      'confidence',
      'fit',
      'engagement',
      'reasons',
      'model_version',
    ]) {
      expect(lines[0]).toHaveProperty(key);
    }
  });

  it('uses a held-out file given with --test', async () => {
    const test = file('test.csv', toCsv(syntheticLeads(400, 99)));
    const r = await run(
      'train',
      '--data',
      leadsCsv,
      '--label',
      'converted',
      '--test',
      test,
      '--out',
      join(dir, 'm2.json'),
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ n_train: 1500, n_test: 400 });
  });

  it('counts and reports rows with an empty label instead of dropping them silently', async () => {
    const lines = toCsv(syntheticLeads(300, 5)).split('\r\n');
    lines[4] = (lines[4] as string).replace(/,[01]$/, ',');
    const r = await run(
      'train',
      '--data',
      file('gaps.csv', lines.join('\r\n')),
      '--label',
      'converted',
      '--out',
      join(dir, 'm3.json'),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 row\(s\) left out: line 5 \(empty label "converted"\)/);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows_skipped: 1 });
  });
});

describe('bad input gets one line naming the problem and a non-zero exit', () => {
  it.each([
    {
      name: 'missing file',
      args: ['train', '--data', join(dir, 'nope.csv'), '--label', 'converted', '--out', model],
      message: /cannot read .*nope\.csv: no such file/,
    },
    {
      name: 'missing label column',
      args: ['train', '--data', leadsCsv, '--label', 'won', '--out', model],
      message: /has no column "won" \(named by --label\)/,
    },
    {
      name: 'empty file',
      args: ['train', '--data', file('empty.csv', ''), '--label', 'converted', '--out', model],
      message: /the file is empty/,
    },
    {
      name: 'header only',
      args: ['train', '--data', file('header.csv', 'a,converted\n'), '--label', 'converted', '--out', model],
      message: /has a header but no data rows/,
    },
    {
      name: 'ragged row',
      args: [
        'train',
        '--data',
        file('ragged.csv', 'a,converted\n1,0\n2\n'),
        '--label',
        'converted',
        '--out',
        model,
      ],
      message: /line 3: expected 2 fields, found 1/,
    },
    {
      name: 'bad label',
      args: [
        'train',
        '--data',
        file('maybe.csv', 'a,converted\n1,0\n2,maybe\n'),
        '--label',
        'converted',
        '--out',
        model,
      ],
      message: /line 3: label "converted" is "maybe"; expected 0\/1, true\/false or yes\/no/,
    },
    {
      name: 'one class only',
      args: [
        'train',
        '--data',
        file('ones.csv', 'a,converted\n' + '1,1\n'.repeat(20)),
        '--label',
        'converted',
        '--out',
        model,
      ],
      message: /cannot train on .*: need at least 5 leads of each class/,
    },
    {
      name: 'model fails its schema',
      args: ['score', '--model', file('bad-model.json', '{"format":"leadgate-model/1"}'), '--data', leadsCsv],
      message: /is not a valid leadgate model: model is missing "version"/,
    },
    {
      name: 'model is not JSON',
      args: ['score', '--model', file('text.json', 'hello'), '--data', leadsCsv],
      message: /cannot read model .*text\.json/,
    },
    {
      name: 'unknown --exclude column',
      args: ['train', '--data', leadsCsv, '--label', 'converted', '--exclude', 'nope', '--out', model],
      message: /has no column "nope" \(named by --exclude\)/,
    },
  ])('$name', async ({ args, message }) => {
    const r = await run(...args);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^leadgate: /);
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 on a missing required option, naming it', async () => {
    const r = await run('train', '--data', leadsCsv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/train needs --label, --out/);
  });

  it('exits 2 on an unknown option', async () => {
    const r = await run('score', '--modle', model, '--data', leadsCsv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--modle'/);
  });

  it('exits 2 on an unknown command', async () => {
    expect((await run('frobnicate')).code).toBe(2);
  });
});

describe('help', () => {
  it('lists the commands', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const command of ['train', 'evaluate', 'score'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
