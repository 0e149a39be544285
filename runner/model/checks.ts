// The model's built-in checks (MODEL.md), run on the state after a scenario: each
// failure names the device and the resource.

import type { CheckFailure } from './api.js';
import type { KernelCtx } from './kernel/ctx.js';
import { effectiveOps } from './dma/arch.js';
import type { IommuRef } from './types.js';
import type { IommuInstance } from './iommu/instance.js';
import type { IommuDriverImpl } from './iommu/driver-impl.js';

export function builtInChecks(k: KernelCtx): CheckFailure[] {
  const out: CheckFailure[] = [];
  for (const dev of k.devices.values()) {
    if (!dev.added || dev.driver) continue;
    for (const r of dev.devres) {
      out.push({ check: 'leaked-devres', device: dev.name, resource: `${r.kind} ${r.size || r.irq || ''}`.trim(),
        message: `${dev.name}: ${r.kind} resource still held after the driver let go of the device` });
    }
    for (const b of dev.buffers) {
      out.push({ check: 'leaked-dma', device: dev.name, resource: `dma buffer ${b.size} bytes`,
        message: `${dev.name}: coherent DMA buffer of ${b.size} bytes never freed` });
    }
  }
  for (const f of k.foreignFrees) {
    out.push({ check: 'foreign-free', device: f.device, resource: `dma buffer ${f.size} bytes`,
      message: `${f.device}: DMA buffer of ${f.size} bytes allocated through ${f.allocOps} ops was freed through ${f.ops} ops` });
  }
  for (const dev of k.devices.values()) {
    if (!dev.bound) continue;
    const inst = registeredIommuOf(k, dev.iommus);
    if (inst && !dev.group && (inst.impl.accepts?.(k, dev, inst) ?? true)) {
      out.push({ check: 'no-iommu-ops', device: dev.name, resource: inst.name,
        message: `${dev.name}: bound without IOMMU DMA ops while its IOMMU ${inst.name} is registered` });
    }
    if (dev.group?.domain?.type === 'dma' && effectiveOps(dev) === 'direct') {
      out.push({ check: 'direct-in-dma-domain', device: dev.name, resource: `iommu group ${dev.group.id}`,
        message: `${dev.name}: uses dma-direct while attached to a translated domain of iommu group ${dev.group.id}` });
    }
  }
  for (const dev of k.devices.values()) {
    for (const l of dev.links) {
      if (l.consumer !== dev) continue;
      const dangling = l.supplier.dead || !l.supplier.added || (l.owner === 'driver-core' && !dev.driver);
      if (dangling) {
        out.push({ check: 'dangling-link', device: dev.name, resource: `link to ${l.supplier.name}`,
          message: `${dev.name}: device link to ${l.supplier.name} outlives its ${l.supplier.dead ? 'supplier' : 'consumer driver'}` });
      }
    }
  }
  // what only the IOMMU driver knows to look for, once per catalog driver in use
  const impls: IommuDriverImpl[] = [];
  for (const i of k.iommus.values()) if (!impls.includes(i.impl)) impls.push(i.impl);
  for (const impl of impls) if (impl.checks) out.push(...impl.checks(k));
  for (const g of k.groups) {
    if (g.devices.length > 0 && !g.defaultDomain) {
      out.push({ check: 'group-without-domain', resource: `iommu group ${g.id}`,
        message: `iommu group ${g.id} (${g.devices.map((d) => d.name).join(', ')}) has no default domain` });
    }
  }
  return out;
}

/** the first of a device's `iommus` entries whose instance is registered (checks run after every run: no lists built) */
function registeredIommuOf(k: KernelCtx, refs: readonly IommuRef[]): IommuInstance | undefined {
  for (const r of refs) {
    const i = k.iommus.get(r.iommu);
    if (i?.registered) return i;
  }
  return undefined;
}
