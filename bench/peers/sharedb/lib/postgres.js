// @ts-check
// The PostgreSQL behind `--db postgres`: a throwaway server started with the repository's
// scripts/postgres.sh (initdb and pg_ctl as the postgres user, a temporary folder, a free port on
// 127.0.0.1 only, synchronous_commit = on, fsync = on), a fresh database per run, stopped after.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { processTree } from './measure.js';

const SCRIPT = fileURLToPath(new URL('../../../../scripts/postgres.sh', import.meta.url));

/**
 * @typedef {{url: string, dataDir: string | undefined, pid: number | undefined, owned: boolean, stop: () => void}} Postgres
 */

/** The postmaster's pid, from DATA/postmaster.pid. @param {string} dataDir */
export function postmasterPid(dataDir) {
  try {
    return Number(fs.readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/**
 * Starts a PostgreSQL (scripts/postgres.sh start) and returns its admin URL; `stop` removes it.
 * With `cpus`, the postmaster and every process it has are pinned there (taskset); backends
 * forked later inherit it.
 * @param {string | undefined} cpus @returns {Postgres}
 */
export function startPostgres(cpus) {
  const exports = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (/** @type {string} */ name) => (exports.match(new RegExp(`${name}='([^']*)'`)) ?? [])[1];
  const connection = value('COLLABEDIT_TEST_POSTGRES');
  const dataDir = value('COLLABEDIT_TEST_PGDATA');
  if (!connection || !dataDir) throw new Error(`scripts/postgres.sh start printed no connection: ${exports}`);
  const port = (connection.match(/Port=(\d+)/) ?? [])[1];
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    execFileSync('bash', [SCRIPT, 'stop', dataDir], { stdio: 'ignore' });
  };
  const pid = postmasterPid(dataDir);
  if (cpus && pid) pin(pid, cpus);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dataDir, pid, owned: true, stop };
}

/** Pins a process tree to `cpus` (taskset -p). @param {number} pid @param {string} cpus */
export function pin(pid, cpus) {
  for (const p of processTree(pid)) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(p)], { stdio: 'ignore' });
    } catch {
      // A process gone meanwhile.
    }
  }
}

/**
 * A fresh, empty database on the server at `adminUrl`; returns its URL.
 * @param {string} adminUrl @param {string} name
 */
export async function createDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
