// The model's built-in checks (MODEL.md), run on the state after a scenario: each
// failure names the device and the resource.

import type { CheckFailure } from './api.js';
import type { KernelCtx } from './kernel/ctx.js';
import { effectiveOps } from './dma/arch.js';
import type { IommuRef } from './types.js';
import type { IommuInstance } from './iommu/instance.js';
import type { IommuDriverImpl } from './iommu/driver-impl.js';

// They run after every run of every CLI process, mostly before V8 optimises them: the
// loops index arrays and forEach maps instead of for-of, which unoptimised code runs
// through an iterator and a result object per element.
export function builtInChecks(k: KernelCtx): CheckFailure[] {
  const out: CheckFailure[] = [];
  k.devices.forEach((dev) => {
    if (!dev.added || dev.driver) return;
    for (let i = 0; i < dev.devres.length; i++) {
      const r = dev.devres[i]!;
      out.push({ check: 'leaked-devres', device: dev.name, resource: `${r.kind} ${r.size || r.irq || ''}`.trim(),
        message: `${dev.name}: ${r.kind} resource still held after the driver let go of the device` });
    }
    for (let i = 0; i < dev.buffers.length; i++) {
      const b = dev.buffers[i]!;
      out.push({ check: 'leaked-dma', device: dev.name, resource: `dma buffer ${b.size} bytes`,
        message: `${dev.name}: coherent DMA buffer of ${b.size} bytes never freed` });
    }
  });
  for (const f of k.foreignFrees) {
    out.push({ check: 'foreign-free', device: f.device, resource: `dma buffer ${f.size} bytes`,
      message: `${f.device}: DMA buffer of ${f.size} bytes allocated through ${f.allocOps} ops was freed through ${f.ops} ops` });
  }
  k.devices.forEach((dev) => {
    if (!dev.bound) return;
    const inst = registeredIommuOf(k, dev.iommus);
    if (inst && !dev.group && (inst.impl.accepts?.(k, dev, inst) ?? true)) {
      out.push({ check: 'no-iommu-ops', device: dev.name, resource: inst.name,
        message: `${dev.name}: bound without IOMMU DMA ops while its IOMMU ${inst.name} is registered` });
    }
    if (dev.group?.domain?.type === 'dma' && effectiveOps(dev) === 'direct') {
      out.push({ check: 'direct-in-dma-domain', device: dev.name, resource: `iommu group ${dev.group.id}`,
        message: `${dev.name}: uses dma-direct while attached to a translated domain of iommu group ${dev.group.id}` });
    }
  });
  k.devices.forEach((dev) => {
    for (let i = 0; i < dev.links.length; i++) {
      const l = dev.links[i]!;
      if (l.consumer !== dev) continue;
      const dangling = l.supplier.dead || !l.supplier.added || (l.owner === 'driver-core' && !dev.driver);
      if (dangling) {
        out.push({ check: 'dangling-link', device: dev.name, resource: `link to ${l.supplier.name}`,
          message: `${dev.name}: device link to ${l.supplier.name} outlives its ${l.supplier.dead ? 'supplier' : 'consumer driver'}` });
      }
    }
  });
  // what only the IOMMU driver knows to look for, once per catalog driver in use
  const impls: IommuDriverImpl[] = [];
  k.iommus.forEach((i) => {
    if (!impls.includes(i.impl)) impls.push(i.impl);
  });
  for (let i = 0; i < impls.length; i++) {
    const impl = impls[i]!;
    if (impl.checks) out.push(...impl.checks(k));
  }
  for (let i = 0; i < k.groups.length; i++) {
    const g = k.groups[i]!;
    if (g.devices.length > 0 && !g.defaultDomain) {
      out.push({ check: 'group-without-domain', resource: `iommu group ${g.id}`,
        message: `iommu group ${g.id} (${g.devices.map((d) => d.name).join(', ')}) has no default domain` });
    }
  }
  return out;
}

/** the first of a device's `iommus` entries whose instance is registered (checks run after every run: no lists built) */
function registeredIommuOf(k: KernelCtx, refs: readonly IommuRef[]): IommuInstance | undefined {
  for (let j = 0; j < refs.length; j++) {
    const i = k.iommus.get(refs[j]!.iommu);
    if (i?.registered) return i;
  }
  return undefined;
}
