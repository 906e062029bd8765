// @ts-check
// The CollabEdit server for the node driver's `--system collabedit`: started here (the Release
// build, a fresh data folder, the per-address limits lifted as the C# driver's ServerHost does:
// every simulated client comes from 127.0.0.1) or attached to (--url, --server-pid: a running
// server or the transport floor); the REST calls the run needs, with a bearer token.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_DLL = fileURLToPath(new URL('../../../../src/Server/bin/Release/net10.0/CollabEdit.Server.dll', import.meta.url));
const ONE_ADDRESS_FOR_ALL = [
  '--CollabEdit:CallsPerSecondPerAddress=100000000', '--CollabEdit:CallBurstPerAddress=100000000',
  '--CollabEdit:RequestsPerSecondPerAddress=100000000', '--CollabEdit:RequestBurstPerAddress=100000000',
  '--CollabEdit:DocumentCreatesPerSecondPerAddress=100000000', '--CollabEdit:DocumentCreateBurstPerAddress=100000000',
  '--CollabEdit:DocumentWriteBytesPerSecond=2000000000', '--CollabEdit:DocumentWriteBurstBytes=2000000000',
  '--CollabEdit:Auth:ChangesPerSecondPerAccount=100000000', '--CollabEdit:Auth:MaxDocumentsPerAccount=100000000',
];
const USER = { userName: 'nodeloaddriver', email: 'nodeloaddriver@example.invalid', password: 'node load driver password', displayName: 'node load driver' };

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A bearer token: the driver's account signed up (or signed in when it exists); a server without
 * accounts (the transport floor answers 404) checks none.
 * @param {string} http
 */
async function accessToken(http) {
  const post = (/** @type {string} */ url, /** @type {unknown} */ body) =>
    fetch(`${http}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  let response = await post('/api/account/signup?token=true', USER);
  if (response.status === 404) return 'none';
  if (!response.ok) response = await post('/api/account/signin?token=true', { userName: USER.userName, password: USER.password });
  if (!response.ok) throw new Error(`sign-up and sign-in failed (${response.status}): ${await response.text()}`);
  return (await response.json()).accessToken;
}

/**
 * @param {{url?: string, serverPid?: number, serverDll?: string, serverCpus?: string}} s
 */
export async function startCollabEdit(s) {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  let dir;
  let log;
  let http;
  let description;
  if (s.url) {
    http = s.url.replace(/\/$/, '');
    description = `running at ${http}`;
  } else {
    const dll = s.serverDll ?? DEFAULT_DLL;
    if (!fs.existsSync(dll)) throw new Error(`${dll} is missing: dotnet build src/Server -c Release`);
    const port = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = /** @type {net.AddressInfo} */ (server.address());
        server.close(() => resolve(address.port));
      });
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collabedit-node-load-'));
    log = fs.openSync(path.join(dir, 'server.log'), 'a');
    const args = [dll, '--urls', `http://127.0.0.1:${port}`, `--CollabEdit:DataPath=${dir}`, ...ONE_ADDRESS_FOR_ALL];
    child = s.serverCpus
      ? spawn('taskset', ['-c', s.serverCpus, 'dotnet', ...args], { stdio: ['ignore', log, log], cwd: path.dirname(dll) })
      : spawn('dotnet', args, { stdio: ['ignore', log, log], cwd: path.dirname(dll) });
    http = `http://127.0.0.1:${port}`;
    description = `started by the driver: ${path.relative(process.cwd(), dll)}, fresh LiteDB data folder${s.serverCpus ? `, pinned to CPU ${s.serverCpus} (taskset)` : ''}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}; see ${dir}/server.log`);
      if (Date.now() > deadline) throw new Error('the server did not answer /healthz within 60 s');
      try {
        if ((await fetch(`${http}/healthz`)).ok) break;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
  }
  const token = await accessToken(http);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  return {
    http,
    ws: http,
    pid: child?.pid ?? s.serverPid,
    databasePid: undefined,
    description,
    token,
    /** @param {string} title @param {string} text @returns {Promise<string>} the document's id */
    async createDocument(title, text) {
      const response = await fetch(`${http}/api/documents`, { method: 'POST', headers, body: JSON.stringify({ title, text }) });
      if (!response.ok) throw new Error(`POST /api/documents answered ${response.status}: ${await response.text()}`);
      return (await response.json()).id;
    },
    /** @param {string} id @returns {Promise<{version: number, text: string}>} */
    async state(id) {
      const response = await fetch(`${http}/api/documents/${id}`, { headers });
      if (!response.ok) throw new Error(`GET /api/documents/${id} answered ${response.status}`);
      const state = await response.json();
      return { version: state.revision, text: state.text };
    },
    /** @param {boolean} keep keep the data folder (a failed run) */
    async stop(keep = false) {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGTERM');
        let timer;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (log !== undefined) fs.closeSync(log);
      if (dir && !keep) fs.rmSync(dir, { recursive: true, force: true });
      else if (dir) console.error(`data and server log kept in ${dir}`);
    },
  };
}
