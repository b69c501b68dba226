import { randomUUID } from 'node:crypto';

/**
 * HubSpot's error body: `status`, `message`, `category`, `correlationId`, plus `errors`, `context`,
 * `links`, `subCategory` where the API documents them (hubspot.md §3.7; spec `Error`).
 */
export interface ErrorDetail {
  message: string;
  code?: string;
  in?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
}

export interface ErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category: string;
  subCategory?: string;
  errors?: ErrorDetail[];
  context?: Record<string, string[]>;
  links?: Record<string, string>;
  [extra: string]: unknown;
}

export interface ErrorExtras {
  subCategory?: string;
  errors?: ErrorDetail[];
  context?: Record<string, string[]>;
  links?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Thrown by route handlers; the server turns it into the JSON answer. */
export class HubSpotHttpError extends Error {
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
    this.headers = headers;
  }
}

export function errorBody(category: string, message: string, extras: ErrorExtras = {}): ErrorBody {
  const body: ErrorBody = { status: 'error', message, correlationId: randomUUID(), category };
  if (extras.subCategory !== undefined) body.subCategory = extras.subCategory;
  if (extras.errors !== undefined) body.errors = extras.errors;
  if (extras.context !== undefined) body.context = extras.context;
  if (extras.links !== undefined) body.links = extras.links;
  return body;
}

export function httpError(
  status: number,
  category: string,
  message: string,
  extras: ErrorExtras = {},
): HubSpotHttpError {
  return new HubSpotHttpError(status, errorBody(category, message, extras), extras.headers);
}

export function validationError(message: string, extras: ErrorExtras = {}): HubSpotHttpError {
  return httpError(400, 'VALIDATION_ERROR', message, extras);
}

export function notFound(message: string, extras: ErrorExtras = {}): HubSpotHttpError {
  return httpError(404, 'OBJECT_NOT_FOUND', message, extras);
}
