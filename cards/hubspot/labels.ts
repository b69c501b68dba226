import type { CardConfidence, CardRoute, CardTier } from '../contract/types.ts';

export const ROUTE_LABELS: Record<CardRoute, string> = {
  ae: 'Account executive',
  sdr: 'SDR',
  nurture: 'Nurture',
  review: 'Human review',
};

export const CONFIDENCE_LABELS: Record<CardConfidence, string> = {
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** Tag variants of `@hubspot/ui-extensions` Tag. */
export type TagVariant = 'default' | 'warning' | 'success' | 'error' | 'info';

export const TIER_VARIANTS: Record<CardTier, TagVariant> = {
  A: 'success',
  B: 'info',
  C: 'default',
  D: 'warning',
};

/** `2026-11-20 14:00 UTC`: the same for every viewer, and what the CRM property holds. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
