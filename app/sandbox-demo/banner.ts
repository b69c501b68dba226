import type { Runtime } from '../runtime/index.ts';
import type { DemoPortal } from './emulator-portal.ts';

export interface DemoBannerInput {
  readonly runtime: Pick<Runtime, 'urls'>;
  readonly portal: DemoPortal;
  readonly apiKey: string;
  readonly contactUrl: string;
  readonly msToLive: number;
  readonly resumed: boolean;
  readonly file: string;
}

/**
 * What a developer needs once the demo is live. The key and the private-app token are printed on
 * purpose: they open a local emulator and a local server, and sandbox.json holds them anyway.
 */
export function demoLines(input: DemoBannerInput): string[] {
  const { urls } = input.runtime;
  const { emulator, portal } = input.portal;
  const seconds = (input.msToLive / 1000).toFixed(1);
  return [
    `sandbox demo ${input.resumed ? 'resumed' : 'installed'}: HubSpot portal ${portal.id} is live (${seconds} s)`,
    `  admin API:       ${urls.adminApi}   status: ${urls.adminApi}/status`,
    `  contact page:    ${input.contactUrl}`,
    `  HubSpot API:     ${emulator.url} (emulator)`,
    `  portal id:       ${portal.id}`,
    `  private-app token: ${portal.privateAppToken}`,
    `  admin API key:   ${input.apiKey}`,
    `  saved in ${input.file}`,
    `  try: curl -H "Authorization: Bearer ${input.apiKey}" ${urls.adminApi}/status`,
  ];
}
