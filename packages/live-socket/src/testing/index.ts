export { type PartitionProxy, type ProxiedConnection, startPartitionProxy } from "./partition-proxy.ts";
export { startTickServer, type TickRouter, type TickServer } from "./tick-server.ts";
