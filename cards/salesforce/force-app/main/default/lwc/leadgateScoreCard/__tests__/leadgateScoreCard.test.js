import { createElement } from 'lwc';
import LeadgateScoreCard from 'c/leadgateScoreCard';
import { getRecord, notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';

const scoredLead = require('./data/scoredLead.json');
const unscoredContact = require('./data/unscoredContact.json');

const FIELD_NAMES = [
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

function mount(objectApiName = 'Lead', recordId = scoredLead.id) {
  const element = createElement('c-leadgate-score-card', { is: LeadgateScoreCard });
  element.recordId = recordId;
  element.objectApiName = objectApiName;
  document.body.appendChild(element);
  return element;
}

const flush = () => Promise.resolve();
const byId = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);
const text = (element, id) => byId(element, id).textContent;

/** The scored lead with some fields replaced (`undefined` removes a field, as optionalFields does). */
function leadWith(values) {
  const fields = { ...scoredLead.fields };
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete fields[name];
    else fields[name] = { displayValue: null, value };
  }
  return { ...scoredLead, fields };
}

afterEach(() => {
  while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  jest.clearAllMocks();
});

describe('c-leadgate-score-card', () => {
  it('asks getRecord for exactly the Leadgate fields of the page object, as optional fields', async () => {
    mount('Contact', unscoredContact.id);
    await flush();
    expect(getRecord.getLastConfig()).toEqual({
      recordId: unscoredContact.id,
      optionalFields: FIELD_NAMES.map((name) => `Contact.${name}`),
    });
  });

  it('shows a spinner until the record arrives', () => {
    const element = mount();
    expect(byId(element, 'loading')).not.toBeNull();
    expect(byId(element, 'score')).toBeNull();
  });

  it('shows the score and tier', async () => {
    const element = mount();
    getRecord.emit(scoredLead);
    await flush();
    expect(byId(element, 'loading')).toBeNull();
    expect(text(element, 'score')).toBe('82');
    expect(text(element, 'tier')).toBe('Tier A');
  });

  it('shows fit and engagement as whole numbers', async () => {
    const element = mount();
    getRecord.emit(scoredLead);
    await flush();
    expect(text(element, 'fit')).toBe('71');
    expect(text(element, 'engagement')).toBe('65');
  });

  it('shows n/a for fit and engagement when rules scored without a split', async () => {
    const element = mount();
    getRecord.emit(leadWith({ Leadgate_Fit_Score__c: null, Leadgate_Engagement_Score__c: null }));
    await flush();
    expect(text(element, 'fit')).toBe('n/a');
    expect(text(element, 'engagement')).toBe('n/a');
  });

  it('shows confidence and route with the HubSpot card labels', async () => {
    const element = mount();
    getRecord.emit(scoredLead);
    await flush();
    expect(text(element, 'confidence')).toBe('High');
    expect(text(element, 'route')).toBe('Account executive');
  });

  it('marks low confidence as a warning', async () => {
    const element = mount();
    getRecord.emit(leadWith({ Leadgate_Confidence__c: 'low' }));
    await flush();
    expect(byId(element, 'confidence').className).toContain('slds-theme_warning');
  });

  it('shows each reasons line with its direction, in the written order', async () => {
    const element = mount();
    getRecord.emit(scoredLead);
    await flush();
    const items = [...element.shadowRoot.querySelectorAll('[data-id="reasons"] li')];
    expect(items.map((li) => li.textContent)).toEqual([
      '▲ Visited the pricing page 4 times this week',
      '▲ Job title is Head of Sales',
      '▼ No email opens in 30 days',
    ]);
    expect(items.map((li) => li.dataset.direction)).toEqual(['positive', 'positive', 'negative']);
  });

  it('shows at most six reasons', async () => {
    const element = mount();
    const lines = Array.from({ length: 9 }, (_, i) => `+ reason ${i}`).join('\n');
    getRecord.emit(leadWith({ Leadgate_Reasons__c: lines }));
    await flush();
    expect(element.shadowRoot.querySelectorAll('[data-id="reasons"] li')).toHaveLength(6);
  });

  it('says so when the score has no reasons', async () => {
    const element = mount();
    getRecord.emit(leadWith({ Leadgate_Reasons__c: null }));
    await flush();
    expect(byId(element, 'reasons')).toBeNull();
    expect(byId(element, 'no-reasons')).not.toBeNull();
  });

  it('shows the model version and the scored-at time in UTC', async () => {
    const element = mount();
    getRecord.emit(scoredLead);
    await flush();
    expect(text(element, 'provenance')).toBe('Model lg-2026-11-20-a1b2 · 2026-11-20 14:05 UTC');
  });

  it('says the rules scored when there is no model version', async () => {
    const element = mount();
    getRecord.emit(leadWith({ Leadgate_Model_Version__c: null }));
    await flush();
    expect(text(element, 'provenance')).toBe('Scored by rules (no model yet) · 2026-11-20 14:05 UTC');
  });

  it('shows the not-scored state when the score field is empty', async () => {
    const element = mount('Contact', unscoredContact.id);
    getRecord.emit(unscoredContact);
    await flush();
    expect(byId(element, 'not-scored')).not.toBeNull();
    expect(byId(element, 'score')).toBeNull();
  });

  it('shows the no-access state when the user cannot see the fields', async () => {
    const element = mount();
    const hidden = Object.fromEntries(FIELD_NAMES.map((name) => [name, undefined]));
    getRecord.emit(leadWith(hidden));
    await flush();
    expect(byId(element, 'no-access')).not.toBeNull();
    expect(byId(element, 'not-scored')).toBeNull();
  });

  it('shows the error message when the wire fails', async () => {
    const element = mount();
    getRecord.error({ message: 'The requested resource does not exist' }, 404, 'Not Found');
    await flush();
    expect(byId(element, 'loading')).toBeNull();
    expect(text(element, 'error-message')).toBe('The requested resource does not exist');
  });

  it('asks Lightning Data Service to refetch on retry', async () => {
    const element = mount();
    getRecord.error({ message: 'Server error' }, 500, 'Internal Server Error');
    await flush();
    byId(element, 'retry').click();
    await flush();
    expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: scoredLead.id }]);
    expect(byId(element, 'loading')).not.toBeNull();
  });
});
