// Kernel.deviceBits() (runner/model/api.ts): explore reads a device's added, bound and deferred
// through it instead of device() (no object made, ~70,000 times a search). It must say what
// device() says, for every device of every shipped board, after the boot and after each
// device is unbound, on two eras; and -1 for a name that is no device.

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, DEVICE_ADDED, DEVICE_BOUND, DEVICE_DEFERRED } from '../../runner/model/index.js';
import type { Kernel, ModelBoard } from '../../runner/model/index.js';
import { resolveKernelLabel } from '../../runner/dsl/kernels.js';
import { loadBoards } from '../../runner/dsl/index.js';
import { NEWEST_PROFILE } from '../../runner/model/profiles/profiles.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function boards(): ModelBoard[] {
  return loadBoards([path.join(ROOT, 'boards')]).boards.map((b) => b.board);
}

function agree(k: Kernel, b: ModelBoard, where: string): number {
  let n = 0;
  for (const d of b.devices) {
    const st = k.device(d.name);
    const bits = k.deviceBits!(d.name);
    if (!st) {
      expect(bits, `${where} ${d.name}`).to.equal(-1);
      continue;
    }
    expect({ added: (bits & DEVICE_ADDED) !== 0, bound: (bits & DEVICE_BOUND) !== 0, deferred: (bits & DEVICE_DEFERRED) !== 0 }, `${where} ${d.name}`).to.deep.equal({ added: st.added, bound: st.bound, deferred: st.deferred });
    if (st.deferred) n++;
  }
  return n;
}

describe('model: device bits', function () {
  this.timeout(60_000);

  it('say what device() says, for every device after the boot and after each unbind', () => {
    let seen = 0;
    for (const b of boards()) {
      for (const kernel of ['v5.0', NEWEST_PROFILE]) {
        const k = createKernel(b, resolveKernelLabel(kernel));
        k.perform({ op: 'boot', hold: [] });
        seen += agree(k, b, `${b.id} ${kernel} booted`);
        for (const d of b.devices) {
          k.perform({ op: 'unbind', device: d.name });
          seen += agree(k, b, `${b.id} ${kernel} after unbind ${d.name}`);
        }
        expect(k.deviceBits!('no-such-device')).to.equal(-1);
      }
    }
    // deferred devices among them (the bit most runs never set)
    expect(seen).to.be.greaterThan(0);
  });
});
