/**
 * Attio's error responses, as the stand-in sends them. Every body is `{ status_code, type, code, message }` (all four
 * required in every error schema of attio_openapi.json; docs/attio.md §7). 400 `validation_type` bodies also
 * carry `validation_errors: [{ code, path, message, expected?, received? }]`, which the spec does not describe: the
 * shape follows recorded real responses (fact sheet §7, 3P `tobimori/effect-attio` `src/error-transforms.ts`;
 * `rbeene/attio_ruby` `api_response_documentation.md`, recorded July 2025).
 */
import type { z } from 'zod';

export type AttioErrorType = 'invalid_request_error' | 'auth_error' | 'rate_limit_error' | 'internal_server_error';

export interface ValidationIssue {
  code: string;
  path: (string | number)[];
  message: string;
  expected?: string;
  received?: string;
}

export interface AttioErrorBody {
  status_code: number;
  type: AttioErrorType;
  code: string;
  message: string;
  validation_errors?: ValidationIssue[];
}

/** An error the stand-in answers with; thrown anywhere below the router and turned into a response there. */
export class AttioApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: AttioErrorType,
    readonly code: string,
    message: string,
    readonly validationErrors?: ValidationIssue[],
  ) {
    super(message);
    this.name = 'AttioApiError';
  }

  body(): AttioErrorBody {
    return {
      status_code: this.status,
      type: this.type,
      code: this.code,
      message: this.message,
      ...(this.validationErrors ? { validation_errors: this.validationErrors } : {}),
    };
  }
}

export const notFound = (message: string) => new AttioApiError(404, 'invalid_request_error', 'not_found', message);

export const badRequest = (code: string, message: string, issues?: ValidationIssue[]) =>
  new AttioApiError(400, 'invalid_request_error', code, message, issues);

export const slugConflict = (message: string) =>
  new AttioApiError(409, 'invalid_request_error', 'slug_conflict', message);

/** A value of the wrong shape for its attribute: the message real Attio sends names the attribute, not the value. */
export const invalidValue = (slug: string, issues: ValidationIssue[]) =>
  badRequest('validation_type', `An invalid value was passed to attribute with slug "${slug}".`, issues);

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** One `invalid_type` issue in the form Attio reports (zod-3 style: "Required" for a missing value). */
export function typeIssue(path: (string | number)[], expected: string, received: unknown, message?: string) {
  return {
    code: 'invalid_type',
    path,
    message: message ?? (received === undefined ? 'Required' : `Expected ${expected}, received ${describe(received)}`),
    expected,
    received: describe(received),
  } satisfies ValidationIssue;
}

/** A request body that does not have the operation's shape: "Body payload validation error." plus each problem. */
export function bodyValidationError(error: z.ZodError): AttioApiError {
  const issues = error.issues.map((issue): ValidationIssue => {
    const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
    if (issue.code === 'invalid_type') {
      const received = (issue as { input?: unknown }).input;
      // zod says "record" where Attio (zod 3 underneath, judging by its messages) says "object".
      const expected = issue.expected === 'record' ? 'object' : String(issue.expected);
      return typeIssue(path, expected, received, received === undefined ? 'Required' : issue.message);
    }
    return { code: issue.code, path, message: issue.message };
  });
  return badRequest('validation_type', 'Body payload validation error.', issues);
}
