/**
 * The OAuth scopes the HubSpot connector uses: the fewest that work (hubspot.md §1.4). The app
 * manifest's `requiredScopes` is checked against this list, so change both together.
 */
export const HUBSPOT_SCOPES = [
  // Base OAuth; the web-analytics Events API (page views, form submissions) needs only this.
  'oauth',
  // Contacts read and search; engagements (calls, emails, meetings, notes) ride on it too, and it
  // reads property definitions and is required for contact webhooks (hubspot.md §1.4).
  'crm.objects.contacts.read',
  // Score write-back: batch update of contacts.
  'crm.objects.contacts.write',
  // Firmographics for fit features.
  'crm.objects.companies.read',
  // Deals associated with a contact are an outcome.
  'crm.objects.deals.read',
  // The `leadgate` property group and the score properties on contacts (design §7).
  'crm.schemas.contacts.write',
] as const;

export type HubSpotScope = (typeof HUBSPOT_SCOPES)[number];
