import {
  Button,
  EmptyState,
  ErrorState,
  LoadingSpinner,
  StatisticsItem,
  Table,
  TableCell,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it } from 'vitest';
import { NOT_FOUND_CARD, NOT_SCORED_CARD, SCORED_CARD } from '../contract/fixtures.ts';
import type { CardContract } from '../contract/types.ts';
import { ScoreCard } from './score-card.tsx';

const never = (): Promise<CardContract> => new Promise<CardContract>(() => undefined);

/** Renders the card with a loader that answers `card`, and waits until the spinner is gone. */
async function renderLoaded(card: CardContract) {
  const renderer = createRenderer('crm.record.sidebar');
  renderer.render(<ScoreCard load={() => Promise.resolve(card)} />);
  await renderer.waitFor(() => {
    expect(renderer.maybeFind(LoadingSpinner)).toBeNull();
  });
  return renderer;
}

function text(renderer: ReturnType<typeof createRenderer>, testId: string): string | null {
  return renderer.findByTestId(Text, testId).text;
}

describe('ScoreCard', () => {
  it('shows a spinner while the score loads', () => {
    const renderer = createRenderer('crm.record.sidebar');
    renderer.render(<ScoreCard load={never} />);
    expect(renderer.find(LoadingSpinner).props.label).toBe('Loading lead score');
  });

  it('shows the score and tier when scored', async () => {
    const renderer = await renderLoaded(SCORED_CARD);
    expect(renderer.findByTestId(StatisticsItem, 'score').props.number).toBe(82);
    expect(renderer.findByTestId(Tag, 'tier').text).toBe('Tier A');
  });

  it('shows fit, engagement, confidence and route when scored', async () => {
    const renderer = await renderLoaded(SCORED_CARD);
    expect(text(renderer, 'fit')).toBe('71');
    expect(text(renderer, 'engagement')).toBe('89');
    expect(renderer.findByTestId(Tag, 'confidence').text).toBe('High');
    expect(text(renderer, 'route')).toBe('Account executive');
  });

  it('flags low confidence as a warning', async () => {
    const renderer = await renderLoaded({ ...SCORED_CARD, confidence: 'low' });
    expect(renderer.findByTestId(Tag, 'confidence').props.variant).toBe('warning');
  });

  it('shows n/a for sub-scores the rules did not produce', async () => {
    const renderer = await renderLoaded({ ...SCORED_CARD, fitScore: null, engagementScore: null });
    expect([text(renderer, 'fit'), text(renderer, 'engagement')]).toEqual(['n/a', 'n/a']);
  });

  it('lists the reasons in the contract order, marked positive or negative', async () => {
    const renderer = await renderLoaded(SCORED_CARD);
    expect(SCORED_CARD.reasons.map((_, i) => text(renderer, `reason-${i}`))).toEqual([
      '▲ Visited the pricing page 4 times in the last 7 days',
      '▲ Director-level title',
      '▼ Uses a free email domain',
    ]);
  });

  it('says so when a score has no reasons', async () => {
    const renderer = await renderLoaded({ ...SCORED_CARD, reasons: [] });
    expect(renderer.findByTestId(Text, 'no-reasons').text).toContain('No reasons');
  });

  it('renders the history newest first, one row per score', async () => {
    const renderer = await renderLoaded(SCORED_CARD);
    const rows = renderer.findByTestId(Table, 'history').findAll(TableRow).slice(1);
    expect(rows.map((row) => row.findAll(TableCell).map((cell) => cell.text))).toEqual([
      ['2026-11-20 14:00 UTC', '82', 'A'],
      ['2026-11-20 11:00 UTC', '65', 'B'],
      ['2026-11-20 09:00 UTC', '31', 'C'],
    ]);
  });

  it('shows the model version and scored-at time', async () => {
    const renderer = await renderLoaded(SCORED_CARD);
    expect(text(renderer, 'provenance')).toBe('Model hubspot-2026-11-20.3 · 2026-11-20 14:00 UTC');
  });

  it('says rules scored when there is no model version', async () => {
    const renderer = await renderLoaded({ ...SCORED_CARD, modelVersion: null });
    expect(text(renderer, 'provenance')).toContain('Scored by rules');
  });

  it('shows the not-scored state', async () => {
    const renderer = await renderLoaded(NOT_SCORED_CARD);
    expect(renderer.findByTestId(EmptyState, 'not-scored').props.title).toBe('Not scored yet');
  });

  it('shows the not-found state', async () => {
    const renderer = await renderLoaded(NOT_FOUND_CARD);
    expect(renderer.findByTestId(EmptyState, 'not-found').props.title).toBe('Not in leadgate');
  });

  it('shows the error with its message when loading fails', async () => {
    const renderer = createRenderer('crm.record.sidebar');
    renderer.render(<ScoreCard load={() => Promise.reject(new Error('leadgate answered 500.'))} />);
    await renderer.waitFor(() => {
      expect(renderer.findByTestId(ErrorState, 'error').find(Text).text).toBe('leadgate answered 500.');
    });
  });

  it('loads again and shows the card when retry is clicked', async () => {
    const answers: (() => Promise<CardContract>)[] = [
      () => Promise.reject(new Error('down')),
      () => Promise.resolve(SCORED_CARD),
    ];
    let calls = 0;
    const load = (): Promise<CardContract> => {
      const answer = answers[calls] ?? never;
      calls += 1;
      return answer();
    };
    const renderer = createRenderer('crm.record.sidebar');
    renderer.render(<ScoreCard load={load} />);
    await renderer.waitFor(() => {
      expect(renderer.maybeFindByTestId(Button, 'retry')).not.toBeNull();
    });
    renderer.findByTestId(Button, 'retry').trigger('onClick');
    await renderer.waitFor(() => {
      expect(renderer.findByTestId(StatisticsItem, 'score').props.number).toBe(82);
    });
    expect(calls).toBe(2);
  });
});
