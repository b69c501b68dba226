import { describe, expect, it } from 'vitest';
import { NOT_SCORED_CARD, SCORED_CARD } from '../../cards/contract/fixtures.ts';
import { escapeHtml, renderCardPage } from './sandbox-page.ts';

describe('escapeHtml', () => {
  it.each([
    ['<script>', '&lt;script&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted"', '&quot;quoted&quot;'],
    ["it's", 'it&#39;s'],
  ])('escapes %s', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });
});

describe('renderCardPage', () => {
  it('shows score, tier, route and the reasons in contract order', () => {
    const html = renderCardPage(SCORED_CARD, 'Contact 501');
    expect(html).toContain('<span class="number">82</span>');
    expect(html).toContain('Tier A');
    expect(html).toContain('Account executive');
    expect(html.indexOf('pricing page')).toBeLessThan(html.indexOf('free email domain'));
  });

  it('lists the history newest first', () => {
    const html = renderCardPage(SCORED_CARD, 'Contact 501');
    expect(html.indexOf('<td>82</td>')).toBeLessThan(html.indexOf('<td>31</td>'));
  });

  it('says rules scored when there is no model version', () => {
    expect(renderCardPage({ ...SCORED_CARD, modelVersion: null }, 'x')).toContain('Scored by rules');
  });

  it('shows the not-scored state', () => {
    expect(renderCardPage(NOT_SCORED_CARD, 'x')).toContain('data-state="not_scored"');
  });

  it('escapes the title', () => {
    expect(renderCardPage(NOT_SCORED_CARD, '<b>x</b>')).toContain('<title>&lt;b&gt;x&lt;/b&gt;</title>');
  });
});
