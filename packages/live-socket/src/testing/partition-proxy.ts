import { createServer, type Socket, connect as tcpConnect } from "node:net";

/** One client connection through the proxy, as the two ends saw it (performance.now() times). */
export interface ProxiedConnection {
  readonly acceptedAt: number;
  /** When the server's side closed, as the proxy saw it (in the dark too). */
  serverClosedAt: number | null;
  /** When the client's side closed. */
  clientClosedAt: number | null;
}

export interface PartitionProxy {
  /** The port clients connect to (on 127.0.0.1). */
  readonly port: number;
  readonly connections: readonly ProxiedConnection[];
  /**
   * A silent partition: from now on no byte, FIN or RST crosses in either direction and new
   * connections get no further than the proxy; the sockets on both sides stay open, as across a
   * dead network path.
   */
  goDark(): void;
  /**
   * The path is back: what was sent meanwhile arrives (TCP would have retransmitted it), held
   * connections reach the server, and a side that closed in the dark is closed on the other.
   */
  restore(): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/** What one direction of a connection holds back while the path is dark: bytes, then maybe a FIN. */
interface Held {
  readonly chunks: Buffer[];
  ended: boolean;
}

function deliver(held: Held, to: Socket): void {
  if (to.destroyed) return;
  for (const chunk of held.chunks.splice(0)) to.write(chunk);
  if (held.ended) to.end();
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target` that can go dark without closing anything: what
 * a test needs to see whether both ends of a connection notice a path that went silent.
 */
export async function startPartitionProxy(target: { host: string; port: number }): Promise<PartitionProxy> {
  let dark = false;
  const connections: ProxiedConnection[] = [];
  /** Per connection: pass on what is held (and reach the server, if not yet), unless dark. */
  const resumers = new Set<() => void>();
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const record: ProxiedConnection = {
      acceptedAt: performance.now(),
      serverClosedAt: null,
      clientClosedAt: null,
    };
    connections.push(record);
    sockets.add(client);
    const toServer: Held = { chunks: [], ended: false };
    const toClient: Held = { chunks: [], ended: false };
    let upstream: Socket | null = null;

    const flush = () => {
      if (dark) return;
      // Made in the dark: it reaches the server now (the SYN retried), unless given up meanwhile.
      if (!upstream && !toServer.ended) upstream = open();
      if (upstream) deliver(toServer, upstream);
      deliver(toClient, client);
    };
    const open = () => {
      const socket = tcpConnect(target.port, target.host);
      sockets.add(socket);
      socket.on("data", (chunk: Buffer) => {
        toClient.chunks.push(chunk);
        flush();
      });
      socket.on("error", () => {});
      socket.on("close", () => {
        record.serverClosedAt ??= performance.now();
        sockets.delete(socket);
        toClient.ended = true;
        flush();
      });
      return socket;
    };

    client.on("data", (chunk: Buffer) => {
      toServer.chunks.push(chunk);
      flush();
    });
    client.on("error", () => {});
    client.on("close", () => {
      record.clientClosedAt ??= performance.now();
      sockets.delete(client);
      toServer.ended = true;
      flush();
    });
    resumers.add(flush);
    flush();
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");

  return {
    port: address.port,
    connections,
    goDark() {
      dark = true;
    },
    restore() {
      dark = false;
      for (const resume of resumers) resume();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
