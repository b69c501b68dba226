/** Synthetic and real-data portals in CRM-neutral form, for seeding the sandbox emulators. */
export * from './types.ts';
export { generatePortal, DEFAULT_CONTACTS, DEFAULT_NOW, type GenerateOptions } from './generate-portal.ts';
export {
  TRUE_MODEL,
  trueLogit,
  signalsAsOf,
  sigmoidOf,
  isPricingUrl,
  DAY_MS,
  DECISION_DELAY_DAYS,
  SIGNAL_WINDOW_DAYS,
  PRICING_PATH,
  type TrueSignals,
} from './true-model.ts';
export { mapXEducationLeads, type CsvLike, type XEducationOptions } from './x-education.ts';
export { loadXEducationPortal, X_EDUCATION_CSV } from './x-education-file.ts';
