import { ConnectorError, type Page } from '../types.ts';
import type { SalesforceClient } from './client.ts';
import { decodeCursor, encodeCursor, isObject } from './cursor.ts';
import { fieldList, type ObjectName, type SalesforceRecord } from './records.ts';

export interface PagingOptions {
  apiVersion: string;
  /** Above this many records a backfill reads through Bulk API 2.0 instead of SOQL pages. */
  bulkThreshold: number;
  /** Records per Bulk 2.0 results page (`maxRecords`). */
  bulkPageSize: number;
  /** Waits between Bulk 2.0 job polls, in order; the last one repeats. */
  bulkPollWaitsMs: readonly number[];
  bulkMaxPolls: number;
  sleep: (ms: number) => Promise<void>;
}

/** One object read by a backfill: which records, and what each becomes. */
export interface Source<T> {
  object: ObjectName;
  where?: string;
  /** The fields read; all of the object's (records.ts) when absent. Always includes Id. */
  fields?: readonly string[];
  /** A page's records → items; page-level so a source can look related records up in one query. */
  toItems: (records: SalesforceRecord[]) => Promise<T[]> | T[];
}

interface QueryResult {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SalesforceRecord[];
}

interface BulkJobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Aborted' | 'Failed';
  errorMessage?: string;
}

/** Where a backfill stands: which source, and inside it a SOQL cursor or a Bulk 2.0 job locator. */
type BackfillCursor =
  { s: number } | { s: number; soql: string } | { s: number; job: string; locator: string };

const isBackfillCursor = (v: unknown): v is BackfillCursor =>
  isObject(v) &&
  typeof v['s'] === 'number' &&
  (v['soql'] === undefined || typeof v['soql'] === 'string') &&
  (v['job'] === undefined || (typeof v['job'] === 'string' && typeof v['locator'] === 'string'));

/** The source's query, with an extra condition ANDed to its own (parenthesised: SOQL wants AND/OR grouped). */
export const soqlFor = (
  source: { object: ObjectName; where?: string; fields?: readonly string[] },
  and?: string,
): string => {
  const conditions = [source.where, and].filter((c): c is string => c !== undefined);
  const where =
    conditions.length === 0
      ? ''
      : ` WHERE ${conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(' AND ')}`;
  const fields = source.fields === undefined ? fieldList(source.object) : source.fields.join(', ');
  return `SELECT ${fields} FROM ${source.object}${where}`;
};

export class Pager {
  constructor(
    private readonly client: SalesforceClient,
    private readonly options: PagingOptions,
  ) {}

  private get base(): string {
    return `/services/data/v${this.options.apiVersion}`;
  }

  /** One SOQL page: `GET /query?q=` or, after the first, `GET` of the previous `nextRecordsUrl`. */
  async query(soqlOrNext: { soql: string } | { next: string }): Promise<QueryResult> {
    const url =
      'soql' in soqlOrNext ? `${this.base}/query?q=${encodeURIComponent(soqlOrNext.soql)}` : soqlOrNext.next;
    return (await this.client.get<QueryResult>(url)).body;
  }

  /** Every record of a (small) query, following `nextRecordsUrl`. */
  async queryAll(soql: string): Promise<SalesforceRecord[]> {
    const out: SalesforceRecord[] = [];
    let page = await this.query({ soql });
    out.push(...page.records);
    while (!page.done && page.nextRecordsUrl !== undefined) {
      page = await this.query({ next: page.nextRecordsUrl });
      out.push(...page.records);
    }
    return out;
  }

  /** Creates a Bulk 2.0 query job and polls it to JobComplete (salesforce.md §5). */
  private async startBulkJob(soql: string): Promise<string> {
    const { body: created } = await this.client.send<BulkJobInfo>('POST', `${this.base}/jobs/query`, {
      operation: 'query',
      query: soql,
    });
    let job = created;
    for (let poll = 0; job.state !== 'JobComplete'; poll += 1) {
      if (job.state === 'Failed' || job.state === 'Aborted') {
        throw new ConnectorError(
          'unavailable',
          `Bulk API 2.0 query job ${job.id} ${job.state}: ${job.errorMessage ?? ''}`,
        );
      }
      if (poll >= this.options.bulkMaxPolls) {
        throw new ConnectorError(
          'unavailable',
          `Bulk API 2.0 query job ${job.id} still ${job.state} after ${poll} polls`,
        );
      }
      const waits = this.options.bulkPollWaitsMs;
      await this.options.sleep(waits[Math.min(poll, waits.length - 1)] ?? 1000);
      job = (await this.client.get<BulkJobInfo>(`${this.base}/jobs/query/${created.id}`)).body;
    }
    return created.id;
  }

  /**
   * One page of Bulk 2.0 results, paged with `maxRecords` and the `Sforce-Locator` header whose last
   * value is the string "null". jsforce 3.10.16's bulk2.query() breaks past one results page
   * ("write after end"), so the pages are read here through conn.request.
   */
  private async bulkPage(
    job: string,
    locator: string,
  ): Promise<{ records: SalesforceRecord[]; locator: string }> {
    const params = new URLSearchParams({ maxRecords: String(this.options.bulkPageSize) });
    if (locator !== '') params.set('locator', locator);
    const res = await this.client.request<SalesforceRecord[] | string>(
      {
        method: 'GET',
        url: `${this.base}/jobs/query/${job}/results?${params.toString()}`,
        headers: { Accept: 'text/csv' },
      },
      // jsforce parses text/csv into objects of strings; an empty page may come back as ''.
      { responseType: 'text/csv' },
    );
    const next = res.headers['sforce-locator'];
    if (next === undefined) {
      throw new ConnectorError(
        'unknown',
        `Bulk API 2.0 results of job ${job} came without a Sforce-Locator header`,
      );
    }
    return { records: Array.isArray(res.body) ? res.body : [], locator: next };
  }

  /** One page of a backfill over several sources in turn; the cursor resumes exactly here. */
  async backfill<T>(sources: readonly Source<T>[], cursor?: string): Promise<Page<T>> {
    const at: BackfillCursor = cursor === undefined ? { s: 0 } : decodeCursor(cursor, isBackfillCursor);
    const source = sources[at.s];
    if (source === undefined) return { items: [] };
    const advance = (): string | undefined =>
      at.s + 1 < sources.length ? encodeCursor({ s: at.s + 1 }) : undefined;
    const items = async (records: SalesforceRecord[]): Promise<T[]> => source.toItems(records);
    const page = (list: T[], next: string | undefined): Page<T> =>
      next === undefined ? { items: list } : { items: list, next };

    if ('job' in at) {
      const res = await this.bulkPage(at.job, at.locator);
      const next =
        res.locator === 'null' ? advance() : encodeCursor({ s: at.s, job: at.job, locator: res.locator });
      return page(await items(res.records), next);
    }
    if ('soql' in at) {
      const res = await this.query({ next: at.soql });
      const next =
        res.done || res.nextRecordsUrl === undefined
          ? advance()
          : encodeCursor({ s: at.s, soql: res.nextRecordsUrl });
      return page(await items(res.records), next);
    }
    // First page of a source, ordered by Id: SOQL answers with totalSize, which decides SOQL or Bulk
    // 2.0 ("more than 2,000 records is a good candidate for Bulk API 2.0", salesforce.md §5). The page
    // is kept either way: a Bulk job reads only the Ids above its last one (the keyset PK chunking
    // uses), so the first 2,000 records are neither thrown away nor read twice.
    const soql = `${soqlFor(source)} ORDER BY Id`;
    const first = await this.query({ soql });
    const more = !first.done && first.nextRecordsUrl !== undefined;
    const lastId = first.records.at(-1)?.['Id'];
    if (more && first.totalSize > this.options.bulkThreshold && typeof lastId === 'string') {
      const job = await this.startBulkJob(soqlFor(source, `Id > '${lastId.replace(/[^0-9A-Za-z]/g, '')}'`));
      return page(await items(first.records), encodeCursor({ s: at.s, job, locator: '' }));
    }
    const next = more ? encodeCursor({ s: at.s, soql: first.nextRecordsUrl ?? '' }) : advance();
    return page(await items(first.records), next);
  }
}
