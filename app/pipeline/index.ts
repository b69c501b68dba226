// The pipeline folder's only door: CRM-agnostic ingest → train → score → write-back, its job
// handlers and the status report, shared by the HubSpot and Salesforce connectors.
export {
  CRM_FEATURE_SPEC,
  CRM_FEATURE_SPEC_VERSION,
  CRM_FIELDS,
  emailDomainType,
  pathOf,
  seniorityFromTitle,
  toLeadInput,
} from './feature-spec.ts';
export type { CrmFieldMap, Seniority, StoredCompany, StoredEvent, StoredPerson } from './feature-spec.ts';
export { InvalidPageError } from './canonical-schema.ts';
export {
  ingestCompanies,
  ingestConsent,
  ingestEvents,
  ingestOutcomes,
  ingestPeople,
  lawfulBasisOf,
} from './ingest.ts';
export type { IngestContext, IngestCounts, IngestMode } from './ingest.ts';
export { everyoneAsOf, personAsOf, CompanyReader } from './as-of.ts';
export type { PersonAsOf } from './as-of.ts';
export { DEFAULT_OUTCOMES, parseOutcomeDefinition, InvalidOutcomeDefinitionError } from './outcome.ts';
export type { OutcomeDefinition } from './outcome.ts';
export { DEFAULT_RULE_SET, DEFAULT_RULES } from './rules.ts';
export { buildTrainingSet, trainIfReady, DEFAULT_TRAINING_THRESHOLDS } from './train.ts';
export type { TrainDeps, TrainResult, TrainingRow, TrainingSet, TrainingThresholds } from './train.ts';
export { detectChange, reasonsText, MIN_SCORE_MOVE } from './change.ts';
export type { Change, WrittenView } from './change.ts';
export { scoreTenant, scoringContextFor } from './score.ts';
export type { ScoreRunDeps, ScoreRunSummary } from './score.ts';
export {
  decideWriteRetry,
  replayFailedWrites,
  retryDelayMs,
  toScoreWrite,
  writeBackPending,
  WRITE_BATCH_SIZE,
  WriteBackContractError,
} from './write-back.ts';
export type { RetryDecision, Sleep, WriteBackDeps, WriteBackSummary } from './write-back.ts';
export {
  createPipelineHandlers,
  defaultSettings,
  INCREMENTAL_EVENTS_STREAM,
  INCREMENTAL_SKEW_MARGIN_MS,
  INCREMENTAL_STREAM,
  JOB_TYPES,
  TARGETED_BATCH,
} from './jobs/index.ts';
export type { PipelineDeps, PipelineJobType, TenantPipelineSettings } from './jobs/index.ts';
export { PEOPLE_CHANGED_SOURCES, peopleChanged } from './people-changed.ts';
export type { PeopleChanged, PeopleChangedSource } from './people-changed.ts';
export { startIncrementalSweep, sweepOnce, sweepKey } from './sweep.ts';
export type { Sweep, SweepDeps, SweepResult, SweepTimer } from './sweep.ts';
export { tenantStatus } from './status.ts';
export type { PipelinePhase, TenantStatus } from './status.ts';
