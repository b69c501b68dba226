import { NOT_NULL, STRING_OR_NULL, jobValueValidator } from './validate.ts';

/**
 * The checkpoints the job handlers resume from. They are our own state, but they come back as JSON
 * from the database, so they are checked like payloads. What an invalid one does depends on whether
 * starting over is safe, said at each. retrain, rescore, write-back and clear-scores save a summary
 * they never read (each runs whole again on a retry), so they have none here.
 */

/** The order the backfill reads the streams in; a checkpoint's `stream` indexes it. */
export const STREAMS = ['companies', 'people', 'events', 'outcomes', 'consent'] as const;
export type Stream = (typeof STREAMS)[number];

// Type aliases, not interfaces: a checkpoint is a JsonValue.
export type BackfillCheckpoint = {
  /** Index into STREAMS; STREAMS.length once every stream is read. */
  stream: number;
  cursor: string | null;
  /** Persons created so far (the progress counts them as they are ingested). */
  synced: number;
};

/**
 * An invalid backfill checkpoint starts the backfill over (as it always did): a backfill re-read is
 * idempotent (ingest by CRM id, progress `startedAt` and the incremental cursors set only when
 * absent), so starting over costs API calls, never a wrong row.
 */
export const backfillCheckpoint = jobValueValidator<BackfillCheckpoint>('backfill checkpoint', {
  type: 'object',
  additionalProperties: false,
  required: ['stream', 'cursor', 'synced'],
  properties: {
    stream: { type: 'integer', minimum: 0, maximum: STREAMS.length },
    cursor: STRING_OR_NULL,
    synced: { type: 'integer', minimum: 0 },
  },
});

/** Where an incremental job stands: the people pages, then the events pages (`part: 'events'`). */
export type IncrementalCheckpoint = {
  /** Checkpoints of jobs queued before the events part have no `part`: they are in the people part. */
  part?: 'events';
  since: number;
  cursor: string | null;
  maxSeen: number;
  /** Pages read so far: numbers the idempotency keys of the rescores this job queues. */
  page: number;
};

/**
 * An invalid incremental checkpoint fails the job for good, with the reason: starting over is not
 * safe, because page 1 again would reuse the idempotency key `rescore:after:<job>:1` of a rescore
 * already queued for other people, so the people changed since would go unrescored while the job
 * still moves the sync cursor past them. Nothing is lost by the dead letter: the sync cursors move
 * only when a part completes, so the next sweep reads the same window.
 */
export const incrementalCheckpoint = jobValueValidator<IncrementalCheckpoint>('incremental checkpoint', {
  type: 'object',
  additionalProperties: false,
  required: ['since', 'cursor', 'maxSeen', 'page'],
  properties: {
    part: { type: 'string', enum: ['events'], nullable: true, ...NOT_NULL },
    since: { type: 'number' },
    cursor: STRING_OR_NULL,
    maxSeen: { type: 'number' },
    page: { type: 'integer', minimum: 0 },
  },
});

/** How far a targeted (by-ids) incremental job got through its sorted ids. */
export type TargetedCheckpoint = { offset: number };

/**
 * An invalid targeted checkpoint starts the job over (as it always did): its ids come sorted and
 * deduplicated from the payload, so each step fetches the same ids again and its rescore key
 * (`rescore:after:<job>:<offset>`) names the same people; ingest is idempotent.
 */
export const targetedCheckpoint = jobValueValidator<TargetedCheckpoint>('targeted incremental checkpoint', {
  type: 'object',
  additionalProperties: false,
  required: ['offset'],
  properties: { offset: { type: 'integer', minimum: 0 } },
});
