import type { CardContract } from '../../cards/contract/index.ts';

const ROUTE_LABELS = { ae: 'Account executive', sdr: 'SDR', nurture: 'Nurture', review: 'Human review' };

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function time(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function body(card: CardContract): string {
  if (card.state !== 'scored') {
    return card.state === 'not_found'
      ? '<p class="empty" data-state="not_found">Not in leadgate: no record of this contact for this portal.</p>'
      : '<p class="empty" data-state="not_scored">Not scored yet: leadgate knows this contact but has not scored it.</p>';
  }
  const pct = (v: number | null): string => (v === null ? 'n/a' : String(v));
  const reasons =
    card.reasons.length === 0
      ? '<p>No reasons recorded for this score.</p>'
      : `<ul class="reasons">${card.reasons
          .map(
            (r) =>
              `<li class="${r.direction}">${r.direction === 'positive' ? '▲' : '▼'} ${escapeHtml(r.text)}</li>`,
          )
          .join('')}</ul>`;
  const history = [...card.history]
    .reverse()
    .map((h) => `<tr><td>${escapeHtml(time(h.scoredAt))}</td><td>${h.score}</td><td>${h.tier}</td></tr>`)
    .join('');
  const model =
    card.modelVersion === null ? 'Scored by rules (no model yet)' : `Model ${escapeHtml(card.modelVersion)}`;
  return [
    `<p class="score" data-state="scored"><span class="number">${card.score}</span> <span class="tier tier-${card.tier}">Tier ${card.tier}</span></p>`,
    '<dl>',
    `<dt>Fit</dt><dd class="fit">${pct(card.fitScore)}</dd>`,
    `<dt>Engagement</dt><dd class="engagement">${pct(card.engagementScore)}</dd>`,
    `<dt>Confidence</dt><dd class="confidence">${card.confidence}</dd>`,
    `<dt>Route</dt><dd class="route">${ROUTE_LABELS[card.route]}</dd>`,
    '</dl>',
    '<h2>Why</h2>',
    reasons,
    '<h2>History</h2>',
    `<table class="history"><thead><tr><th>Scored</th><th>Score</th><th>Tier</th></tr></thead><tbody>${history}</tbody></table>`,
    `<p class="provenance">${model} · ${escapeHtml(time(card.scoredAt))}</p>`,
  ].join('\n');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:28rem;color:#33475b}
.card{border:1px solid #cbd6e2;border-radius:4px;padding:1rem}
.number{font-size:2.5rem;font-weight:600}.tier{padding:.1rem .4rem;border-radius:3px;background:#eaf0f6}
.tier-A{background:#e5f8f6}.tier-D{background:#fef8f0}dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem}
dt{color:#516f90}dd{margin:0}.positive{color:#00a38d}.negative{color:#d94c53}table{border-collapse:collapse}
td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #eaf0f6}.provenance{color:#7c98b6;font-size:.85rem}`;

/**
 * The card contract as the SDR sees it, as one server-rendered page (design §9: the sandbox shows what
 * the HubSpot card shows). Every value from the store is escaped; the page runs no script.
 */
export function renderCardPage(card: CardContract, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<section class="card" data-object-id="${escapeHtml(card.objectId)}">
${body(card)}
</section>
</body>
</html>
`;
}
