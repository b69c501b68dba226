import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue, notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';

/**
 * The Leadgate score card on Lead and Contact record pages: the card contract of design §9
 * (cards/contract) read from the Leadgate_*__c fields the connector writes (design §7), with
 * loading, error, no-access and not-scored states. Same labels and layout as the HubSpot card.
 */

// Exactly the connector's fields (connectors/salesforce/fields.ts); cards/salesforce/metadata.test.ts
// checks this list against it.
export const FIELD_NAMES = [
  'Leadgate_Score__c',
  'Leadgate_Tier__c',
  'Leadgate_Fit_Score__c',
  'Leadgate_Engagement_Score__c',
  'Leadgate_Route__c',
  'Leadgate_Confidence__c',
  'Leadgate_Reasons__c',
  'Leadgate_Model_Version__c',
  'Leadgate_Scored_At__c',
];

// The card contract shows at most this many reasons (cards/contract MAX_REASONS).
const MAX_REASONS = 6;

const ROUTE_LABELS = { ae: 'Account executive', sdr: 'SDR', nurture: 'Nurture', review: 'Human review' };
const CONFIDENCE_LABELS = { high: 'High', medium: 'Medium', low: 'Low' };
const TIER_CLASSES = {
  A: 'slds-badge slds-theme_success',
  B: 'slds-badge slds-badge_inverse',
  C: 'slds-badge',
  D: 'slds-badge slds-theme_warning',
};

/** `2026-11-20 14:00 UTC`: the same for every viewer, as on the HubSpot card. */
function formatTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function wholeOrNa(value) {
  return value === null || value === undefined ? 'n/a' : String(Math.round(value));
}

/** The UI API error body(ies) as one line. */
function errorMessage(error) {
  const bodies = Array.isArray(error?.body) ? error.body : [error?.body];
  const messages = bodies.map((b) => b?.message).filter((m) => typeof m === 'string' && m !== '');
  return messages.length > 0 ? messages.join(' ') : 'Something went wrong.';
}

/** The written reasons text: one reason a line, `+ …` for the score, `- …` against it. */
export function parseReasons(text) {
  if (typeof text !== 'string') return [];
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(0, MAX_REASONS)
    .map((line, i) => {
      const sign = line.charAt(0);
      const signed = (sign === '+' || sign === '-') && line.charAt(1) === ' ';
      const direction = !signed ? 'neutral' : sign === '+' ? 'positive' : 'negative';
      const arrow = direction === 'positive' ? '▲' : direction === 'negative' ? '▼' : '•';
      return {
        key: `reason-${i}`,
        direction,
        text: `${arrow} ${signed ? line.slice(2).trim() : line}`,
      };
    });
}

export default class LeadgateScoreCard extends LightningElement {
  @api recordId;
  @api objectApiName;

  record;
  error;

  /**
   * `optionalFields`, qualified with this page's object: a user without field access gets the
   * record without those fields (the no-access state) instead of a wire error.
   */
  get optionalFields() {
    return this.objectApiName ? FIELD_NAMES.map((name) => `${this.objectApiName}.${name}`) : undefined;
  }

  @wire(getRecord, { recordId: '$recordId', optionalFields: '$optionalFields' })
  wiredRecord({ data, error }) {
    if (data) {
      this.record = data;
      this.error = undefined;
    } else if (error) {
      this.record = undefined;
      this.error = error;
    }
  }

  value(name) {
    const v = getFieldValue(this.record, `${this.objectApiName}.${name}`);
    return v === undefined ? null : v;
  }

  get isLoading() {
    return !this.record && !this.error;
  }

  get hasError() {
    return Boolean(this.error);
  }

  get errorText() {
    return errorMessage(this.error);
  }

  /** The record came back without the score field: the user cannot see the Leadgate fields. */
  get noAccess() {
    return (
      Boolean(this.record) &&
      getFieldValue(this.record, `${this.objectApiName}.Leadgate_Score__c`) === undefined
    );
  }

  get notScored() {
    return Boolean(this.record) && !this.noAccess && this.value('Leadgate_Score__c') === null;
  }

  get scored() {
    return Boolean(this.record) && !this.noAccess && this.value('Leadgate_Score__c') !== null;
  }

  get score() {
    return String(Math.round(this.value('Leadgate_Score__c')));
  }

  get tierText() {
    const tier = this.value('Leadgate_Tier__c');
    return tier === null ? 'No tier' : `Tier ${tier}`;
  }

  get tierClass() {
    return TIER_CLASSES[this.value('Leadgate_Tier__c')] ?? 'slds-badge';
  }

  get fit() {
    return wholeOrNa(this.value('Leadgate_Fit_Score__c'));
  }

  get engagement() {
    return wholeOrNa(this.value('Leadgate_Engagement_Score__c'));
  }

  get confidence() {
    const c = this.value('Leadgate_Confidence__c');
    return CONFIDENCE_LABELS[c] ?? 'n/a';
  }

  get confidenceClass() {
    return this.value('Leadgate_Confidence__c') === 'low' ? 'slds-badge slds-theme_warning' : 'slds-badge';
  }

  get route() {
    const r = this.value('Leadgate_Route__c');
    return ROUTE_LABELS[r] ?? 'n/a';
  }

  get reasons() {
    return parseReasons(this.value('Leadgate_Reasons__c'));
  }

  get hasReasons() {
    return this.reasons.length > 0;
  }

  get provenance() {
    const version = this.value('Leadgate_Model_Version__c');
    const scoredAt = this.value('Leadgate_Scored_At__c');
    const by = version === null || version === '' ? 'Scored by rules (no model yet)' : `Model ${version}`;
    return scoredAt === null ? by : `${by} · ${formatTime(scoredAt)}`;
  }

  handleRetry() {
    this.error = undefined;
    return notifyRecordUpdateAvailable([{ recordId: this.recordId }]);
  }
}
