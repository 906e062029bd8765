// @ts-check
/**
 * OtClients and a model of the server authority exchanging messages through a network that
 * delivers in random order, duplicates submits, and drops connections (a reconnect resends the
 * in-flight op and catches up). Every run must end with every client's text equal to the
 * server's and every (clientId, seq) committed exactly once. Mirrors SyncSimulationTests.cs.
 *
 * Seeds 1 … 200 by default; COLLABEDIT_SEED sets the first, COLLABEDIT_SIMULATIONS the count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientState, OtClient } from '../js/client.js';
import { opFor } from './generators.js';
import { createRandom, envInt } from './random.js';
import { ServerAuthority } from './server-model.js';

const FIRST_SEED = envInt('COLLABEDIT_SEED', 1);
const RUNS = envInt('COLLABEDIT_SIMULATIONS', 200);

/**
 * @typedef {{ id: string, text: string, client: OtClient, epoch: number, lastSeq: number }} Peer
 * @typedef {import('../js/client.js').Submission} Submission
 * @typedef {{ peer: Peer, epoch: number, submission: Submission }} ToServer
 * @typedef {{ peer: Peer, epoch: number, revision: number,
 *   op: import('../js/text-operation.js').TextOperation | null, ackSeq: number | null }} ToClient
 */

/** What the runs exercised, summed over all seeds. */
const totals = { commits: 0, duplicates: 0, reconnects: 0, ownOpAsBroadcast: 0, staleMessages: 0 };

class Simulation {
  #random;
  #seed;
  #server = new ServerAuthority('start 😀 text');
  /** @type {Peer[]} */
  #peers = [];
  /** @type {ToServer[]} */
  #toServer = [];
  /** @type {ToClient[]} */
  #toClient = [];
  /** Revision of every commit, by `${clientId} ${seq}`. @type {Map<string, number>} */
  #commits = new Map();

  /**
   * @param {number} seed
   * @param {number} clients
   */
  constructor(seed, clients) {
    this.#seed = seed;
    this.#random = createRandom(seed);
    for (let i = 0; i < clients; i++) {
      this.#peers.push({ id: `client-${i}`, text: this.#server.text, client: new OtClient(0), epoch: 0, lastSeq: 0 });
    }
  }

  /** @param {number} steps */
  run(steps) {
    const random = this.#random;
    for (let step = 0; step < steps; step++) {
      const action = random.next(100);
      if (action < 35) {
        this.#editLocally(this.#peers[random.next(this.#peers.length)]);
      } else if (action < 60 && this.#toServer.length > 0) {
        this.#deliverToServer(takeRandom(random, this.#toServer));
      } else if (action < 90 && this.#toClient.length > 0) {
        this.#deliverToClient(takeRandom(random, this.#toClient));
      } else if (action < 95 && this.#toServer.length > 0) {
        // A duplicate resend of a submit (e.g. a retry by the transport).
        totals.duplicates++;
        this.#toServer.push(this.#toServer[random.next(this.#toServer.length)]);
      } else {
        this.#reconnect(this.#peers[random.next(this.#peers.length)]);
      }
    }

    // Quiesce: deliver everything, in random order, until nothing is left.
    while (this.#toServer.length > 0 || this.#toClient.length > 0) {
      if (this.#toClient.length === 0 || (this.#toServer.length > 0 && random.next(2) === 0)) {
        this.#deliverToServer(takeRandom(random, this.#toServer));
      } else {
        this.#deliverToClient(takeRandom(random, this.#toClient));
      }
    }
  }

  assertConverged() {
    const expected = this.#server.text;
    for (const peer of this.#peers) {
      assert.equal(peer.client.state, ClientState.Synchronized, `seed ${this.#seed}: ${peer.id} is ${peer.client.state}`);
      assert.equal(peer.text, expected, `seed ${this.#seed}: ${peer.id} differs from the server`);
      assert.equal(peer.client.revision, this.#server.revision, `seed ${this.#seed}: ${peer.id}'s revision`);
      assert.equal(peer.client.waitingCount, 0, `seed ${this.#seed}: ${peer.id} has ops waiting`);
      for (let seq = 1; seq <= peer.lastSeq; seq++) {
        assert.ok(this.#commits.has(`${peer.id} ${seq}`), `seed ${this.#seed}: ${peer.id} seq ${seq} never committed`);
      }
    }

    assert.equal(this.#commits.size, this.#server.revision, `seed ${this.#seed}: commits and revisions differ`);
  }

  /** @param {Peer} peer */
  #editLocally(peer) {
    const choices = Array.from({ length: this.#random.between(1, 4) }, () => this.#random.nextUint());
    const op = opFor(peer.text, choices);
    peer.text = op.apply(peer.text);
    this.#send(peer, peer.client.applyLocal(op));
  }

  /** @param {ToServer} message */
  #deliverToServer({ peer, epoch, submission }) {
    const result = this.#server.submit(peer.id, submission.seq, submission.baseRevision, submission.op);
    assert.ok(result.accepted, `seed ${this.#seed}: rejected ${result.accepted ? '' : `${result.error} ${result.message}`}`);
    if (!result.isDuplicate) {
      const key = `${peer.id} ${submission.seq}`;
      assert.ok(!this.#commits.has(key), `seed ${this.#seed}: ${peer.id} seq ${submission.seq} committed twice`);
      this.#commits.set(key, result.revision);
      totals.commits++;
      for (const other of this.#peers) {
        // Broadcast to every connection but the submitting one: the submitter's new connection
        // (after a reconnect) receives its own op as an ordinary op.
        if (other !== peer || other.epoch !== epoch) {
          if (other === peer) {
            totals.ownOpAsBroadcast++;
          }

          this.#toClient.push({ peer: other, epoch: other.epoch, revision: result.revision, op: result.op, ackSeq: null });
        }
      }
    }

    this.#toClient.push({ peer, epoch, revision: result.revision, op: null, ackSeq: submission.seq });
  }

  /** @param {ToClient} message */
  #deliverToClient(message) {
    const peer = message.peer;
    if (message.epoch !== peer.epoch) {
      totals.staleMessages++;
      return; // That connection is gone.
    }

    const step = message.op !== null
      ? peer.client.receiveOp(message.revision, message.op)
      : peer.client.receiveAck(/** @type {number} */ (message.ackSeq), message.revision);
    for (const op of step.apply) {
      peer.text = op.apply(peer.text);
    }

    this.#send(peer, step.send);
  }

  /** @param {Peer} peer */
  #reconnect(peer) {
    totals.reconnects++;
    peer.epoch++;
    this.#send(peer, peer.client.reconnect());
    for (const committed of this.#server.since(peer.client.revision)) {
      this.#toClient.push({ peer, epoch: peer.epoch, revision: committed.revision, op: committed.op, ackSeq: null });
    }
  }

  /**
   * @param {Peer} peer
   * @param {Submission | null} submission
   */
  #send(peer, submission) {
    if (submission !== null) {
      peer.lastSeq = Math.max(peer.lastSeq, submission.seq);
      this.#toServer.push({ peer, epoch: peer.epoch, submission });
    }
  }
}

/**
 * Removes and returns a random element (order is not kept: the network has none).
 * @template T
 * @param {import('./random.js').Random} random
 * @param {T[]} list
 * @returns {T}
 */
function takeRandom(random, list) {
  const i = random.next(list.length);
  const item = list[i];
  list[i] = list[list.length - 1];
  list.pop();
  return item;
}

describe(`sync simulation (seeds ${FIRST_SEED}…${FIRST_SEED + RUNS - 1})`, () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
    it(`random delivery, resends and reconnects converge (seed ${seed})`, () => {
      const simulation = new Simulation(seed, 4 + (seed % 3));

      simulation.run(300);

      simulation.assertConverged();
    });
  }

  it('exercised the hard paths', (t) => {
    // The runs must not just pass but reach reconnects, duplicate submits, messages to a dropped
    // connection, and a client receiving its own op as a broadcast on its new connection.
    t.diagnostic(`totals over all seeds: ${JSON.stringify(totals)}`);
    if (RUNS >= 50) {
      for (const [path, count] of Object.entries(totals)) {
        assert.ok(count > 0, `no run reached ${path}: ${JSON.stringify(totals)}`);
      }
    }
  });
});
