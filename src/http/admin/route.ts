/**
 * The staff console's building blocks, shared by the API modules (tickets, curated answers, announcements, articles,
 * statistics, audit), the pages and the router that checks the session and the CSRF token before any of them runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { SignInRefusal } from '../../store/sessions.js';

/** The signed-in staff member: the chat identity the sign-in link was sent to. */
export interface StaffUser {
  /** `telegram:<userId>` or `zalo:<userId>`, as in the staff store. */
  id: string;
  /** What the pages show: the pseudonymous id (never a phone number or a full name). */
  name: string;
  role: 'admin' | 'staff';
}

/** What a handler gets: the user, the path parameters, the query and the validated body. */
export interface ApiContext<B> {
  user: StaffUser;
  params: Record<string, string>;
  query: URLSearchParams;
  body: B;
  now: Date;
}

/** A JSON reply, or a CSV download. */
export type ApiResult = { status?: number; json: unknown } | { status?: number; csv: string; filename: string };

/**
 * One API endpoint under `/admin/api`: `path` is relative to it (`/tickets/:id`), `body` validates the JSON body of a
 * state-changing call. Handlers throw {@link ApiError} for a refusal the user should read.
 */
export interface ApiRoute<B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: z.ZodType<B>;
  handle(ctx: ApiContext<B>): Promise<ApiResult>;
}

/** A refusal with its HTTP status and a Vietnamese message (from the copy module) for the page to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The console's pages and assets (everything under `/admin/` that is not the API or the sign-in link). */
export interface ConsoleUi {
  /** Answer a GET for a page or an asset of a signed-in user; false when the path is not one. */
  serve(req: IncomingMessage, res: ServerResponse, url: URL, user: StaffUser): Promise<boolean>;
  /** The page anyone without a session gets (how to get a link), with `status` (401); `reason` for a refused link. */
  signIn(res: ServerResponse, status: number, reason?: SignInRefusal): void;
  /**
   * The page a usable sign-in link opens: a button that POSTs `token` to `/admin/login`, so only a person's press
   * uses the link (not a link preview), and the cookie is set by a same-site request.
   */
  confirmSignIn?(res: ServerResponse, token: string): void;
}
