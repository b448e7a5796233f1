import type { ServerResponse } from "node:http";

// TEST-ONLY fault injection. Everything the real API does lives in server.ts; this module lets a
// test force one odd answer ("the next 2 requests to /api/v1/user get a 429") without touching the
// faithful behaviour. A matching fault answers before rate limiting, auth and routing.

export interface FaultSpec {
  /** Exact pathname (no query), e.g. "/api/v1/user" or "/api/v1/models/1001/download". */
  path: string;
  method?: string;
  status?: number;
  /** An object is sent as JSON, a string as-is. Omit for an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many requests this fault answers (default 1; Infinity for "forever"). */
  times?: number;
  /** Wait this long before answering (for timeouts; the wait ends if the client goes away). */
  delayMs?: number;
  /** Stream this many bytes of filler with no Content-Length, in `chunkBytes` pieces, honouring backpressure. */
  streamBytes?: number;
  chunkBytes?: number;
}

export interface FaultRecord {
  path: string;
  status: number;
  /** For `streamBytes` faults: how much was written before the client stopped reading or the end. */
  bytesWritten: number;
  clientClosedEarly: boolean;
}

/** How the token endpoint words a refused grant: RFC 6749 `{"error"}` or GoTrue `{"error_code"}`. */
export type GrantRefusalStyle = "rfc" | "gotrue";

export interface FaultInjector {
  next(spec: FaultSpec): void;
  /**
   * Word every refused grant (a spent, unknown or revoked refresh token, a bad code) the way
   * GoTrue does, `{"code":400,"error_code":"refresh_token_not_found","msg":...}`, or back to RFC
   * style. The refusal itself is real: only its wording changes. Survives `clear()`.
   */
  refuseGrantsAs(style: GrantRefusalStyle): void;
  grantRefusalStyle(): GrantRefusalStyle;
  clear(): void;
  /** Faults still waiting to fire. */
  pending(): number;
  /** What fired, in order (streaming faults update their record as they go). */
  readonly log: FaultRecord[];
}

interface ArmedFault extends FaultSpec {
  remaining: number;
}

export function createFaultInjector(): FaultInjector & {
  take(method: string, path: string): ArmedFault | undefined;
  serve(fault: ArmedFault, res: ServerResponse): Promise<void>;
} {
  let armed: ArmedFault[] = [];
  let refusalStyle: GrantRefusalStyle = "rfc";
  const log: FaultRecord[] = [];
  return {
    log,
    refuseGrantsAs(style) {
      refusalStyle = style;
    },
    grantRefusalStyle() {
      return refusalStyle;
    },
    next(spec) {
      armed.push({ ...spec, remaining: spec.times ?? 1 });
    },
    clear() {
      armed = [];
      log.length = 0;
    },
    pending() {
      return armed.length;
    },
    take(method, path) {
      const fault = armed.find(
        (f) => f.path === path && (f.method === undefined || f.method.toUpperCase() === method),
      );
      if (!fault) return undefined;
      fault.remaining--;
      if (fault.remaining <= 0) armed = armed.filter((f) => f !== fault);
      return fault;
    },
    async serve(fault, res) {
      const status = fault.status ?? 200;
      const record: FaultRecord = { path: fault.path, status, bytesWritten: 0, clientClosedEarly: false };
      log.push(record);
      let closed = false;
      res.on("close", () => {
        closed = true;
        if (!res.writableFinished) record.clientClosedEarly = true;
      });
      if (fault.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, fault.delayMs);
          res.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (closed) return;
      }
      if (fault.streamBytes !== undefined) {
        res.writeHead(status, { "content-type": "application/octet-stream", ...fault.headers });
        const chunk = Buffer.alloc(fault.chunkBytes ?? 64 * 1024, 0x20);
        while (record.bytesWritten < fault.streamBytes && !closed) {
          const piece = chunk.subarray(0, Math.min(chunk.length, fault.streamBytes - record.bytesWritten));
          record.bytesWritten += piece.length;
          if (!res.write(piece)) {
            await new Promise<void>((resolve) => {
              const done = () => {
                res.off("drain", done);
                res.off("close", done);
                resolve();
              };
              res.on("drain", done);
              res.on("close", done);
            });
          }
        }
        if (!closed) res.end();
        return;
      }
      const isText = typeof fault.body === "string";
      const body = fault.body === undefined ? "" : isText ? String(fault.body) : JSON.stringify(fault.body);
      res.writeHead(status, {
        "content-type": isText ? "text/plain; charset=utf-8" : "application/json",
        "content-length": Buffer.byteLength(body),
        ...fault.headers,
      });
      res.end(body);
      record.bytesWritten = Buffer.byteLength(body);
    },
  };
}
