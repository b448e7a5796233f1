export { type PartitionProxy, type ProxiedConnection, startPartitionProxy } from "./partition-proxy.ts";
