/** One entry of the REST error body Salesforce sends: `[{ message, errorCode, fields? }]`. */
export interface ApiErrorEntry {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** Thrown by handlers; the server turns it into `status` + a one-element error array. */
export class SalesforceApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[] | undefined;

  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.name = 'SalesforceApiError';
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  toBody(): ApiErrorEntry[] {
    const entry: ApiErrorEntry = { message: this.message, errorCode: this.errorCode };
    if (this.fields !== undefined) entry.fields = this.fields;
    return [entry];
  }
}

/** Per-record failure inside a SaveResult: Collections use `statusCode`, not `errorCode` (salesforce.md §3). */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export class RecordError extends Error {
  readonly statusCode: string;
  readonly fields: string[];

  constructor(statusCode: string, message: string, fields: string[] = []) {
    super(message);
    this.name = 'RecordError';
    this.statusCode = statusCode;
    this.fields = fields;
  }

  toSaveError(): SaveError {
    return { statusCode: this.statusCode, message: this.message, fields: this.fields };
  }

  /** Single-record REST routes answer the same failure as a 400 error array. */
  toApiError(): SalesforceApiError {
    return new SalesforceApiError(400, this.statusCode, this.message, this.fields);
  }
}

export const sessionInvalid = (): SalesforceApiError =>
  new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const notFound = (): SalesforceApiError =>
  new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
