import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.ts";

/** What a plain (non-tRPC) route handler gets for one request. */
export interface RouteRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** `:name` segments of the route's path. */
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly ip: string;
  readonly log: Logger;
}

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One plain route. Route groups (files, health, auth…) are arrays of these, one file each. */
export interface Route {
  readonly method: HttpMethod;
  /** A path such as `/files/:id`; `:name` matches one non-empty segment. */
  readonly path: string;
  handle(request: RouteRequest): Promise<void> | void;
}
