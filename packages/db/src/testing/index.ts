export { databaseUrlFor, NEEDS_POSTGRES, testDatabaseUrl } from "./env.ts";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";
export { createTestDatabase, type TestDatabase } from "./test-database.ts";
export { insertTestDiFile, insertTestIrFile, insertTestShootout } from "./test-shootout.ts";
