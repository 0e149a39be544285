// State keys (runner/model/state-key.ts): a device's, driver's or IOMMU's name is fed to the
// fingerprint as the number the key's intern table gives it, kept on the object (keyId) and
// on its snapshot copies. The key must not depend on whether those numbers were kept: a
// kernel whose objects never had a key asked, one whose had, and one restored from a snapshot
// of it all key alike; and a kept number is what the key reads (a wrong one changes it).

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, restoreKernel } from '../../runner/model/index.js';
import type { Kernel, ModelBoard, ModelStep } from '../../runner/model/index.js';
import type { KernelCtx } from '../../runner/model/kernel/ctx.js';
import { resolveKernelLabel } from '../../runner/dsl/kernels.js';
import { loadBoards } from '../../runner/dsl/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function boards(): ModelBoard[] {
  return loadBoards([path.join(ROOT, 'boards')]).boards.map((b) => b.board);
}

const KERNELS: Record<string, string> = { 'salvator-xs-m3n': 'v6.15-rc1', 'salvator-x-h3': 'v5.0', 'taishan-2280-d05': 'v5.0', 'huawei-d06': 'v5.1', 'odroid-xu3': 'v7.3' };

/** boot, then unbind and bind again the first bound client device */
function run(b: ModelBoard, kernel: string, unbind: boolean): Kernel {
  const k = createKernel(b, resolveKernelLabel(kernel), { chooser: { choose: () => 0, faults: [] } });
  k.perform({ op: 'boot', hold: [] });
  if (unbind) {
    const d = b.devices.find((x) => x.driver && k.device(x.name)?.bound);
    if (d) for (const s of [{ op: 'unbind', device: d.name }] as ModelStep[]) k.perform(s);
  }
  return k;
}

function keyIds(k: Kernel): { keyId: number }[] {
  const ctx = (k as unknown as { k: KernelCtx }).k;
  return [...ctx.devices.values(), ...ctx.drivers.values(), ...ctx.iommus.values()];
}

describe('model: state keys', function () {
  this.timeout(60_000);

  const targets = boards().filter((b) => KERNELS[b.id] !== undefined);

  it('a kernel keys alike whether its names were numbered before, and its restored copies key as it does', () => {
    expect(targets.length).to.equal(Object.keys(KERNELS).length);
    for (const b of targets) {
      const kernel = KERNELS[b.id]!;
      const k = run(b, kernel, false);
      const first = k.stateKey!();
      const mid = k.stateKey!(true);
      // the numbers are kept now
      expect(keyIds(k).every((x) => x.keyId > 0), `${b.id}: names numbered`).to.equal(true);
      expect(k.stateKey!(), `${b.id}: asked again`).to.equal(first);
      expect(k.stateKey!(true), `${b.id}: mid-step, asked again`).to.equal(mid);
      // a fresh kernel of the same history, numbering its names as it keys
      expect(run(b, kernel, false).stateKey!(), `${b.id}: fresh kernel`).to.equal(first);
      // forgotten numbers: the same key
      for (const x of keyIds(k)) x.keyId = 0;
      expect(k.stateKey!(), `${b.id}: numbers forgotten`).to.equal(first);
      // a snapshot's copy keeps them and keys alike
      const snap = k.snapshot!();
      const r = restoreKernel(snap, { choose: () => 0, faults: [] });
      expect(keyIds(r).every((x) => x.keyId > 0), `${b.id}: copies keep the numbers`).to.equal(true);
      expect(r.stateKey!(), `${b.id}: restored`).to.equal(first);
      expect(restoreKernel(snap, { choose: () => 0, faults: [] }).stateKey!(true), `${b.id}: restored again, mid-step`).to.equal(mid);
    }
  });

  it('the kept number is what the key reads, and a different state keys differently', () => {
    for (const b of targets) {
      const kernel = KERNELS[b.id]!;
      const k = run(b, kernel, false);
      const key = k.stateKey!();
      const unbound = run(b, kernel, true);
      expect(unbound.stateKey!(), `${b.id}: after an unbind`).to.not.equal(key);
      // swap two devices' numbers: the key reads the numbers, not the names
      const devs = [...(k as unknown as { k: KernelCtx }).k.devices.values()];
      const [a, c] = [devs[0]!, devs[1]!];
      [a.keyId, c.keyId] = [c.keyId, a.keyId];
      expect(k.stateKey!(), `${b.id}: swapped numbers`).to.not.equal(key);
      [a.keyId, c.keyId] = [c.keyId, a.keyId];
      expect(k.stateKey!(), `${b.id}: numbers back`).to.equal(key);
    }
  });
});
