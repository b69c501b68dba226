import type { Runtime } from '../app/runtime/index.ts';
import type { DemoPortal } from './emulator-portal.ts';
import type { SalesforceDemo } from './salesforce-demo.ts';

export interface DemoBannerInput {
  readonly runtime: Pick<Runtime, 'urls'>;
  readonly portal: DemoPortal;
  readonly salesforce: Pick<SalesforceDemo, 'org' | 'resumed' | 'leadUrl' | 'contactUrl'>;
  readonly apiKey: string;
  readonly contactUrl: string;
  readonly msToLive: number;
  readonly resumed: boolean;
  readonly file: string;
}

/**
 * What a developer needs once the demo is live. The key and the emulators' tokens are printed on
 * purpose: they open local emulators and a local server, and sandbox.json holds them anyway.
 */
export function demoLines(input: DemoBannerInput): string[] {
  const { urls } = input.runtime;
  const { emulator, portal } = input.portal;
  const sf = input.salesforce;
  const seconds = (input.msToLive / 1000).toFixed(1);
  const verb = (resumed: boolean): string => (resumed ? 'resumed' : 'installed');
  return [
    `sandbox demo live (${seconds} s): HubSpot portal ${portal.id} ${verb(input.resumed)}, Salesforce org ${sf.org.org.id} ${verb(sf.resumed)}`,
    `  admin API:       ${urls.adminApi}   status (both CRMs): ${urls.adminApi}/status`,
    `  admin API key:   ${input.apiKey}`,
    'HubSpot',
    `  contact page:    ${input.contactUrl}`,
    `  HubSpot API:     ${emulator.url} (emulator)`,
    `  portal id:       ${portal.id}`,
    `  private-app token: ${portal.privateAppToken}`,
    'Salesforce',
    `  lead page:       ${sf.leadUrl}`,
    `  contact page:    ${sf.contactUrl}`,
    `  instance URL:    ${sf.org.emulator.url} (emulator)`,
    `  org id:          ${sf.org.org.id}`,
    `  saved in ${input.file} (hubspot.accessToken, salesforce.accessToken, apiKey)`,
    `  try: curl -H "Authorization: Bearer ${input.apiKey}" ${urls.adminApi}/status`,
  ];
}
