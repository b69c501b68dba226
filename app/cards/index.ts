/** Card routes (design §9): the HubSpot card's signed data route and the sandbox record page. */
export {
  HUBSPOT_CARD_PATH,
  SANDBOX_CONTACT_PATH,
  SANDBOX_SALESFORCE_CONTACT_PATH,
  SANDBOX_SALESFORCE_LEAD_PATH,
  cardRoutes,
} from './routes.ts';
export type { CardRouteDeps } from './routes.ts';
export { hubspotContactCard, salesforcePersonCard } from './card-service.ts';
export type { CardStore } from './card-service.ts';
export {
  SIGNATURE_MAX_AGE_MS,
  decodeSignedUri,
  signatureV3,
  verifySignatureV3,
} from '../../connectors/hubspot/index.ts';
export type { SignatureCheck, SignedRequest } from '../../connectors/hubspot/index.ts';
export { escapeHtml, renderCardPage } from './sandbox-page.ts';
