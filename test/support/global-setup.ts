import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server the tests create their databases on. */
    pgUrl: string;
  }
}

let server: PostgresServer | undefined;

/**
 * Runs once per test run: starts a private PostgreSQL server unless CSMS_TEST_PG_URL points at one.
 * Tests create their own database on it (see `createTestDatabase`).
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.CSMS_TEST_PG_URL;
  if (external) {
    project.provide('pgUrl', external);
    return;
  }
  server = await startPostgres();
  project.provide('pgUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
