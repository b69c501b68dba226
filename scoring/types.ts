/** The canonical inputs of the scoring core. Nothing here knows about CSV files or CRMs. */

export type Value = string | number | boolean | null | undefined;

export type Group = 'fit' | 'engagement';

export interface EngagementEvent {
  /** page_view, form_submission, email_open, email_click, email_reply, meeting, call, content_download, … */
  type: string;
  /** Epoch milliseconds. */
  occurredAt: number;
  attributes?: Readonly<Record<string, Value>>;
}

/** One lead as the scorer sees it: flat attributes (person + company), its events, and the time "now". */
export interface LeadInput {
  attributes: Readonly<Record<string, Value>>;
  /** Absent means "not known" (event features count as missing); an empty array means "none". */
  events?: readonly EngagementEvent[];
  /** Epoch ms the features are computed as of; event windows end here. Required when events are used. */
  asOf?: number;
}

export type Confidence = 'high' | 'medium' | 'low';
export type Tier = 'A' | 'B' | 'C' | 'D';
export type Route = 'ae' | 'sdr' | 'nurture' | 'review';

/** One reason behind a score, in plain words. */
export interface Reason {
  /** The source field (model) or the rule id (fallback rules). */
  source: string;
  direction: 'positive' | 'negative';
  /** Log-odds added or removed relative to the average lead (model), or points (rules). */
  weight: number;
  text: string;
}
