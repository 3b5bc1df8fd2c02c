/**
 * RFC 9457 problem details. Each kind of error has a stable `type` URI that clients can switch
 * on; the title is fixed per kind, the detail says what went wrong this time.
 */
export const PROBLEM_BASE = 'urn:doorstroom:problem:';

export interface RowError {
  row: number;
  column: string;
  reason: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<RowError | { path: string; reason: string }>;
  [extension: string]: unknown;
}

const TITLES = {
  'validation-error': [400, 'The request is not valid'],
  'invalid-file': [422, 'The file cannot be imported'],
  'rows-rejected': [422, 'Rows in the file are not valid'],
  unauthorized: [401, 'Authentication required'],
  forbidden: [403, 'Your role may not do this'],
  'not-found': [404, 'Not found'],
  conflict: [409, 'Conflict with the current state'],
  'precondition-failed': [412, 'The resource changed since you read it'],
  'precondition-required': [428, 'Send If-Match with the ETag you read'],
  'payload-too-large': [413, 'The request or file is too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'not-acceptable': [406, 'Cannot produce the requested representation'],
  'service-unavailable': [503, 'A backing service is unavailable'],
  internal: [500, 'Internal error'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemKind = keyof typeof TITLES;

export class HttpProblem extends Error {
  readonly status: number;
  constructor(
    readonly kind: ProblemKind,
    detail?: string,
    readonly extensions: Partial<ProblemBody> = {},
  ) {
    super(detail ?? TITLES[kind][1]);
    this.status = TITLES[kind][0];
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: PROBLEM_BASE + this.kind,
      title: TITLES[this.kind][1],
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export const notFound = (what = 'resource') => new HttpProblem('not-found', `No such ${what}, or not within your organisation`);
export const forbidden = (detail?: string) => new HttpProblem('forbidden', detail);
export const conflict = (detail: string) => new HttpProblem('conflict', detail);
